using System.Text;
using CometChat.Core;
using CometChat.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CometChat.Endpoints;

/// <summary>One session's contact address, notes, rating and transcript (API.md §7); each POST has its JSONP GET twin.</summary>
internal static class DeskSessionEndpoints
{
    public static IEndpointRouteBuilder MapDeskSessions(this IEndpointRouteBuilder api)
    {
        api.MapPost("/api/support/{sid}/contact", Contact);
        api.MapGet("/api/support/contact", Contact); // ?sid=&email=
        api.MapPost("/api/support/{sid}/notes", Note);
        api.MapGet("/api/support/note", Note); // ?sid=&body=
        api.MapPost("/api/support/{sid}/rating", Rate);
        api.MapGet("/api/support/rate", Rate); // ?sid=&score=&comment=
        // JSON by default; format=text and format=html answer the same transcript as a document of that type.
        api.MapGet("/api/support/{sid}/transcript", Transcript).Produces<TranscriptView>(200, "application/json", "text/plain", "text/html");
        api.MapPost("/api/support/{sid}/transcript/email", EmailTranscript);
        api.MapGet("/api/support/transcript/email", EmailTranscript); // ?sid=
        return api;
    }

    private static async Task<RawJson<SessionView>> Contact(ChatUser user, ChatParameters p, SupportDesk desk, DeskReads reads)
    {
        var sid = DeskEndpoints.RequireSid(p);
        await desk.SetContactAsync(user, sid, p.Get("email"));
        return ChatResponse.Desk(await reads.SessionAsync(user, sid, p.Aborted), DeskJson.Default.SessionView);
    }

    private static async Task<Ok<SendAnswer>> Note(ChatUser user, ChatParameters p, SupportDesk desk) =>
        TypedResults.Ok(SendAnswer.Of(await desk.AddNoteAsync(user, SupportEndpoints.SidOf(p), p.Get("body"))));

    private static async Task<Ok<SendAnswer>> Rate(ChatUser user, ChatParameters p, SupportDesk desk) =>
        TypedResults.Ok(SendAnswer.Of(await desk.RateAsync(user, SupportEndpoints.SidOf(p), p.Get("score"), p.Get("comment"))));

    /// <summary><c>format=json</c> (default), <c>text</c> or <c>html</c>; with <c>callback=</c> always JSONP, carrying the text or HTML too.</summary>
    private static async Task<IResult> Transcript(ChatUser user, ChatParameters p, DeskReads reads)
    {
        var format = p.Get("format");
        var transcript = await reads.TranscriptAsync(user, DeskEndpoints.RequireSid(p), format, p.Aborted);
        if (Jsonp.CallbackOf(p.Context) is not null || format is null or "" or "json")
            return ChatResponse.Desk(transcript, DeskJson.Default.TranscriptView);
        if (format == "html")
        {
            // The page is built from escaped text; a policy still keeps any markup inert.
            p.Context.Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'";
            return Results.Text(transcript.Html!, "text/html; charset=utf-8", Encoding.UTF8);
        }
        return Results.Text(transcript.Text!, "text/plain; charset=utf-8", Encoding.UTF8);
    }

    private static async Task<RawJson<QueuedView>> EmailTranscript(ChatUser user, ChatParameters p, SupportDesk desk, DeskReads reads)
    {
        var sid = DeskEndpoints.RequireSid(p);
        await desk.EmailTranscriptAsync(user, sid, await reads.IsSessionAgentAsync(user, sid, p.Aborted));
        return ChatResponse.Desk(new QueuedView(sid, true, "contact"), DeskJson.Default.QueuedView);
    }
}
