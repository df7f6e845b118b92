using CometChat.Core;
using CometChat.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CometChat.Endpoints;

internal static class PresenceEndpoints
{
    /// <summary>Users one presence request may ask about: a roster's worth, not the whole user table.</summary>
    public const int MaxUsers = 100;

    public static IEndpointRouteBuilder MapPresence(this IEndpointRouteBuilder api)
    {
        api.MapGet("/api/presence", Get);
        return api;
    }

    private static Ok<Dictionary<string, PresenceAnswer>> Get(ChatParameters p, Presence presence)
    {
        var list = p.Require("users").Split(',');
        if (list.Length > MaxUsers)
            throw new ChatException(ChatError.BadRequest($"'users' names {list.Length} users; the limit is {MaxUsers}."));
        var answer = new Dictionary<string, PresenceAnswer>(list.Length, StringComparer.Ordinal);
        foreach (var n in list)
        {
            var name = Names.User(n.Trim(), "users");
            answer.TryAdd(name, PresenceAnswer.Of(presence.Get(name)));
        }
        return TypedResults.Ok(answer);
    }
}

/// <summary><c>online</c>, and <c>lastSeen</c> (epoch ms; now while online; null if not seen since the server started).</summary>
internal sealed record PresenceAnswer(bool Online, long? LastSeen)
{
    public static PresenceAnswer Of(PresenceInfo p) => new(p.Online, p.LastSeen);
}
