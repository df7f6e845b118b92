using System.Text.Json.Serialization;
using CometChat.Core;
using CometChat.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CometChat.Endpoints;

internal static class SupportEndpoints
{
    public static IEndpointRouteBuilder MapSupport(this IEndpointRouteBuilder api)
    {
        api.MapPost("/api/support/{sid}/transfer", Transfer);
        api.MapPost("/api/support/{sid}/close", Close);
        api.MapGet("/api/support/transfer", Transfer); // ?sid=&to=, for JSONP clients
        api.MapGet("/api/support/close", Close);
        return api;
    }

    /// <summary>The session of a support route: <c>{sid}</c> in the path, else <c>sid=</c> (the JSONP twins).</summary>
    public static long? SidOf(ChatParameters p)
    {
        if (p.Context.Request.RouteValues["sid"] is not string route) return QueryLimits.OptionalLong(p, "sid");
        if (!long.TryParse(route, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var sid))
            throw new ChatException(ChatError.BadRequest("'sid' must be a non-negative integer."));
        return sid;
    }

    private static async Task<Ok<SessionChangeAnswer>> Transfer(ChatUser user, ChatParameters p, SupportDesk desk) =>
        TypedResults.Ok(SessionChangeAnswer.Of(await desk.TransferAsync(user, SidOf(p), p.Get("to"))));

    private static async Task<Ok<SessionChangeAnswer>> Close(ChatUser user, ChatParameters p, SupportDesk desk) =>
        TypedResults.Ok(SessionChangeAnswer.Of(await desk.CloseAsync(user, SidOf(p))));
}

/// <summary>
/// A support session after a transfer, claim or close: <c>sid</c>, <c>customer</c>, <c>agent</c> (null while queued),
/// <c>state</c> (<c>queued</c>, <c>assigned</c>, <c>closed</c>), whether anything <c>changed</c> (then the stored
/// session message's <c>mid</c>).
/// </summary>
internal sealed record SessionChangeAnswer(
    long Sid,
    string Customer,
    string? Agent,
    string State,
    bool Changed,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Mid)
{
    public static SessionChangeAnswer Of(SessionChange change)
    {
        var s = change.Session;
        var state = s.ClosedAt is not null ? "closed" : s.Agent is null ? "queued" : "assigned";
        return new(s.Sid, s.Customer, s.Agent, state, change.Message is not null, change.Message?.Mid);
    }
}
