using CometChat.Core;
using CometChat.Http;

namespace CometChat.Endpoints;

internal static class MessageEndpoints
{
    public static RouteGroupBuilder MapMessages(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api");
        api.MapPost("/messages", Send);
        api.MapGet("/send", Send); // the same send, for JSONP clients
        api.MapGet("/messages", ShortPoll);
        return api;
    }

    private static async Task<IResult> Send(ChatRequest req, MessageSender sender)
    {
        var user = await req.UserAsync();
        var to = req.Get("to");
        // A message to the desk may open a session: it carries the visitor's page, referrer, language and
        // browser, and the token the site's own fields (API.md §7 context).
        var context = to == SupportDesk.Address ? SessionContext.From(req.Get, TokenService.SiteContext(req.Token!)) : null;
        var result = await sender.SendAsync(user, new SendRequest(
            to, req.Get("body"), req.Get("id"), QueryLimits.Client(req), QueryLimits.OptionalLong(req, "sid"), context));
        return ChatResponse.Ok(req, w => WriteSendResult(w, result));
    }

    public static void WriteSendResult(System.Text.Json.Utf8JsonWriter w, SendResult result)
    {
        w.WriteStartObject();
        w.WriteNumber("mid", result.Message.Mid);
        w.WriteString("id", result.Message.Id);
        w.WriteNumber("sentAt", result.Message.SentAt);
        if (result.Message.Sid is { } sid) w.WriteNumber("sid", sid); // a support message: the session it joined
        if (result.Duplicate) w.WriteBoolean("duplicate", true);
        w.WriteEndObject();
    }

    private static async Task<IResult> ShortPoll(ChatRequest req, Feed feed, Presence presence)
    {
        var user = await req.UserAsync();
        var limit = QueryLimits.Limit(req);
        var client = QueryLimits.Client(req);
        var cursor = await QueryLimits.SinceAsync(req, feed);
        presence.Touch(user);
        var page = await feed.ReadAfterAsync(user, client, cursor, limit, req.Aborted);
        return ChatResponse.Page(req, page);
    }
}
