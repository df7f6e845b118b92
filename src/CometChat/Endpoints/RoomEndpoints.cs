using System.Text.Json;
using CometChat.Core;
using CometChat.Http;

namespace CometChat.Endpoints;

internal static class RoomEndpoints
{
    public static RouteGroupBuilder MapRooms(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api");
        api.MapPost("/rooms/{room}/join", Join);
        api.MapPost("/rooms/{room}/leave", Leave);
        api.MapGet("/join", Join); // ?room=, for JSONP clients
        api.MapGet("/leave", Leave);
        api.MapGet("/rooms", List);
        api.MapGet("/rooms/{room}", One);
        return api;
    }

    private static string? RoomOf(ChatRequest req) => req.Context.Request.RouteValues["room"] as string ?? req.Get("room");

    private static async Task<IResult> Join(ChatRequest req, Rooms rooms)
    {
        var user = await req.UserAsync();
        var change = await rooms.JoinAsync(user, RoomOf(req), QueryLimits.Client(req), req.Aborted);
        return ChatResponse.Ok(req, w => WriteChange(w, change));
    }

    private static async Task<IResult> Leave(ChatRequest req, Rooms rooms)
    {
        var user = await req.UserAsync();
        var change = await rooms.LeaveAsync(user, RoomOf(req), QueryLimits.Client(req));
        return ChatResponse.Ok(req, w => WriteChange(w, change));
    }

    private static async Task<IResult> List(ChatRequest req, Rooms rooms)
    {
        var user = await req.UserAsync();
        var page = await rooms.ListAsync(user, req.Get("after"), QueryLimits.Limit(req), QueryLimits.Flag(req, "mine"), req.Aborted);
        return ChatResponse.Ok(req, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("rooms");
            foreach (var r in page.Rooms)
            {
                w.WriteStartObject();
                w.WriteString("room", "#" + r.Name);
                w.WriteNumber("members", r.Members);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteBoolean("more", page.More);
            if (page.After is { } after) w.WriteString("after", after); // the next page's 'after'
            w.WriteEndObject();
        });
    }

    private static async Task<IResult> One(ChatRequest req, Rooms rooms)
    {
        await req.UserAsync();
        var (room, members) = await rooms.GetAsync(RoomOf(req), req.Aborted);
        return ChatResponse.Ok(req, w =>
        {
            w.WriteStartObject();
            w.WriteString("room", "#" + room);
            w.WriteStartArray("members");
            foreach (var m in members)
            {
                w.WriteStartObject();
                w.WriteString("user", m.User);
                PresenceEndpoints.WritePresence(w, m.Presence);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private static void WriteChange(Utf8JsonWriter w, RoomChange change)
    {
        w.WriteStartObject();
        w.WriteString("room", "#" + change.Room);
        w.WriteBoolean("member", change.Member);
        w.WriteBoolean("changed", change.Message is not null);
        if (change.Message is { } m)
        {
            w.WriteNumber("mid", m.Mid);
            w.WriteNumber("sentAt", m.SentAt);
        }
        w.WriteNumber("members", change.Members);
        w.WriteEndObject();
    }
}
