using System.Text;
using CometChat.Core;
using CometChat.Http;

namespace CometChat.Endpoints;

/// <summary>One session's contact address, notes, rating and transcript (API.md §7); each POST has its JSONP GET twin.</summary>
internal static class DeskSessionEndpoints
{
    public static RouteGroupBuilder MapDeskSessions(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/support");
        api.MapPost("/{sid}/contact", Contact);
        api.MapGet("/contact", Contact); // ?sid=&email=
        api.MapPost("/{sid}/notes", Note);
        api.MapGet("/note", Note); // ?sid=&body=
        api.MapPost("/{sid}/rating", Rate);
        api.MapGet("/rate", Rate); // ?sid=&score=&comment=
        api.MapGet("/{sid}/transcript", Transcript);
        api.MapPost("/{sid}/transcript/email", EmailTranscript);
        api.MapGet("/transcript/email", EmailTranscript); // ?sid=
        return api;
    }

    private static async Task<IResult> Contact(ChatRequest req, SupportDesk desk, DeskReads reads)
    {
        var user = await req.UserAsync();
        var sid = SupportEndpoints.SidOf(req);
        await desk.SetContactAsync(user, sid, req.Get("email"));
        return ChatResponse.Ok(req, await reads.SessionAsync(user, sid!.Value, req.Aborted), DeskJson.Default.SessionView);
    }

    private static async Task<IResult> Note(ChatRequest req, SupportDesk desk)
    {
        var result = await desk.AddNoteAsync(await req.UserAsync(), SupportEndpoints.SidOf(req), req.Get("body"));
        return ChatResponse.Ok(req, w => MessageEndpoints.WriteSendResult(w, result));
    }

    private static async Task<IResult> Rate(ChatRequest req, SupportDesk desk)
    {
        var result = await desk.RateAsync(await req.UserAsync(), SupportEndpoints.SidOf(req), req.Get("score"), req.Get("comment"));
        return ChatResponse.Ok(req, w => MessageEndpoints.WriteSendResult(w, result));
    }

    /// <summary><c>format=json</c> (default), <c>text</c> or <c>html</c>; with <c>callback=</c> always JSONP, carrying the text or HTML too.</summary>
    private static async Task<IResult> Transcript(ChatRequest req, DeskReads reads)
    {
        var user = await req.UserAsync();
        var sid = SupportEndpoints.SidOf(req) ?? throw new ChatException(ChatError.BadRequest("'sid' is required."));
        var format = req.Get("format");
        var transcript = await reads.TranscriptAsync(user, sid, format, req.Aborted);
        if (req.Callback is not null || format is null or "" or "json")
            return ChatResponse.Ok(req, transcript, DeskJson.Default.TranscriptView);
        if (format == "html")
        {
            // The page is built from escaped text; a policy still keeps any markup inert.
            req.Context.Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'";
            return Results.Text(transcript.Html!, "text/html; charset=utf-8", Encoding.UTF8);
        }
        return Results.Text(transcript.Text!, "text/plain; charset=utf-8", Encoding.UTF8);
    }

    private static async Task<IResult> EmailTranscript(ChatRequest req, SupportDesk desk, DeskReads reads)
    {
        var user = await req.UserAsync();
        var sid = SupportEndpoints.SidOf(req);
        var participant = sid is { } id && await reads.IsSessionAgentAsync(user, id, req.Aborted);
        await desk.EmailTranscriptAsync(user, sid, participant);
        return ChatResponse.Ok(req, new QueuedView(sid!.Value, true, "contact"), DeskJson.Default.QueuedView);
    }
}
