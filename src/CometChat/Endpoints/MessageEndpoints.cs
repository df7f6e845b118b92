using System.Text.Json.Serialization;
using CometChat.Core;
using CometChat.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CometChat.Endpoints;

internal static class MessageEndpoints
{
    public static IEndpointRouteBuilder MapMessages(this IEndpointRouteBuilder api)
    {
        api.MapPost("/api/messages", Send);
        api.MapGet("/api/send", Send); // the same send, for JSONP clients
        api.MapGet("/api/messages", ShortPoll);
        return api;
    }

    private static async Task<Ok<SendAnswer>> Send(ChatUser user, ChatParameters p, MessageSender sender)
    {
        var to = p.Get("to");
        // A message to the desk may open a session: it carries the visitor's page, referrer, language and
        // browser, and the token the site's own fields (API.md §7 context).
        var context = to == SupportDesk.Address
            ? SessionContext.From(p.Get, TokenService.SiteContext((await TokenAuthentication.TokenOfAsync(p.Context))!))
            : null;
        var result = await sender.SendAsync(user, new SendRequest(to, p.Get("body"), p.Get("id"), QueryLimits.Client(p), QueryLimits.OptionalLong(p, "sid"), context, p.Get("file")));
        return TypedResults.Ok(SendAnswer.Of(result));
    }

    private static async Task<PageResult> ShortPoll(ChatUser user, ChatParameters p, Feed feed, Presence presence)
    {
        var limit = QueryLimits.Limit(p);
        var client = QueryLimits.Client(p);
        var cursor = await QueryLimits.SinceAsync(p, feed);
        presence.Touch(user);
        return ChatResponse.Page(await feed.ReadAfterAsync(user, client, cursor, limit, p.Aborted, settled: true));
    }
}

/// <summary>
/// A stored send or receipt, the same on every wire (HTTP, JSONP, WebSocket and TCP replies): <c>mid</c>, the
/// message's <c>id</c>, <c>sentAt</c> (epoch ms), <c>sid</c> for a support message (the session it joined), and
/// <c>duplicate</c> when the id was sent before and nothing new was stored.
/// </summary>
internal sealed record SendAnswer(
    long Mid,
    string Id,
    long SentAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Sid,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Duplicate)
{
    public static SendAnswer Of(SendResult r) => new(r.Message.Mid, r.Message.Id, r.Message.SentAt, r.Message.Sid, r.Duplicate);
}
