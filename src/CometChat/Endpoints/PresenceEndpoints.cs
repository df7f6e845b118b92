using System.Text.Json;
using CometChat.Core;
using CometChat.Http;

namespace CometChat.Endpoints;

internal static class PresenceEndpoints
{
    /// <summary>Users one presence request may ask about: a roster's worth, not the whole user table.</summary>
    public const int MaxUsers = 100;

    public static IEndpointRouteBuilder MapPresence(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/presence", Get);
        return app;
    }

    private static async Task<IResult> Get(ChatRequest req, Presence presence)
    {
        await req.UserAsync();
        var list = req.Require("users").Split(',');
        if (list.Length > MaxUsers)
            throw new ChatException(ChatError.BadRequest($"'users' names {list.Length} users; the limit is {MaxUsers}."));
        var names = new List<string>(list.Length);
        foreach (var n in list)
        {
            var name = Names.User(n.Trim(), "users");
            if (!names.Contains(name)) names.Add(name);
        }
        return ChatResponse.Ok(req, w =>
        {
            w.WriteStartObject();
            foreach (var name in names)
            {
                w.WriteStartObject(name);
                WritePresence(w, presence.Get(name));
                w.WriteEndObject();
            }
            w.WriteEndObject();
        });
    }

    /// <summary><c>"online"</c> and <c>"lastSeen"</c> (epoch ms; now while online; null if never seen since the server started).</summary>
    public static void WritePresence(Utf8JsonWriter w, PresenceInfo p)
    {
        w.WriteBoolean("online", p.Online);
        if (p.LastSeen is { } seen) w.WriteNumber("lastSeen", seen);
        else w.WriteNull("lastSeen");
    }
}
