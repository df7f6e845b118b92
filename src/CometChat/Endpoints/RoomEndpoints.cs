using System.Text.Json.Serialization;
using CometChat.Core;
using CometChat.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CometChat.Endpoints;

internal static class RoomEndpoints
{
    public static IEndpointRouteBuilder MapRooms(this IEndpointRouteBuilder api)
    {
        api.MapPost("/api/rooms/{room}/join", Join);
        api.MapPost("/api/rooms/{room}/leave", Leave);
        api.MapGet("/api/join", Join); // ?room=, for JSONP clients
        api.MapGet("/api/leave", Leave);
        api.MapGet("/api/rooms", List);
        api.MapGet("/api/rooms/{room}", One);
        return api;
    }

    private static async Task<Ok<RoomChangeAnswer>> Join(ChatUser user, ChatParameters p, Rooms rooms) =>
        TypedResults.Ok(RoomChangeAnswer.Of(await rooms.JoinAsync(user, p.RouteOrGet("room"), QueryLimits.Client(p), p.Aborted)));

    private static async Task<Ok<RoomChangeAnswer>> Leave(ChatUser user, ChatParameters p, Rooms rooms) =>
        TypedResults.Ok(RoomChangeAnswer.Of(await rooms.LeaveAsync(user, p.RouteOrGet("room"), QueryLimits.Client(p))));

    private static async Task<Ok<RoomListAnswer>> List(ChatUser user, ChatParameters p, Rooms rooms)
    {
        var page = await rooms.ListAsync(user, p.Get("after"), QueryLimits.Limit(p), QueryLimits.Flag(p, "mine"), p.Aborted);
        return TypedResults.Ok(new RoomListAnswer([.. page.Rooms.Select(r => new RoomSummary("#" + r.Name, r.Members))], page.More, page.After));
    }

    private static async Task<Ok<RoomAnswer>> One(ChatParameters p, Rooms rooms)
    {
        var (room, members) = await rooms.GetAsync(p.RouteOrGet("room"), p.Aborted);
        return TypedResults.Ok(new RoomAnswer("#" + room, [.. members.Select(m => new RoomMemberAnswer(m.User, m.Presence.Online, m.Presence.LastSeen))]));
    }
}

/// <summary>
/// A join or leave: the <c>#room</c>, whether the caller is now a <c>member</c>, whether anything <c>changed</c>
/// (then the stored join/leave message's <c>mid</c> and <c>sentAt</c>), and the member count after it.
/// </summary>
internal sealed record RoomChangeAnswer(
    string Room,
    bool Member,
    bool Changed,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Mid,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? SentAt,
    int Members)
{
    public static RoomChangeAnswer Of(RoomChange c) => new("#" + c.Room, c.Member, c.Message is not null, c.Message?.Mid, c.Message?.SentAt, c.Members);
}

/// <summary>
/// One page of rooms, in name order, with member counts; <c>more</c>, and then <c>after</c>: the value that fetches
/// the next page.
/// </summary>
internal sealed record RoomListAnswer(
    IReadOnlyList<RoomSummary> Rooms,
    bool More,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? After);

internal sealed record RoomSummary(string Room, long Members);

/// <summary>One room's members, each with presence.</summary>
internal sealed record RoomAnswer(string Room, IReadOnlyList<RoomMemberAnswer> Members);

/// <summary>A member: <c>online</c>, <c>lastSeen</c> (epoch ms, null if not seen since the server started).</summary>
internal sealed record RoomMemberAnswer(string User, bool Online, long? LastSeen);
