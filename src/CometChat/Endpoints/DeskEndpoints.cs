using CometChat.Core;
using CometChat.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CometChat.Endpoints;

/// <summary>The desk's queue, session lists, the customer's own session, claims and the agents' status (API.md §7).</summary>
internal static class DeskEndpoints
{
    public static IEndpointRouteBuilder MapDesk(this IEndpointRouteBuilder api)
    {
        api.MapGet("/api/support/queue", Queue);
        api.MapGet("/api/support/sessions", Sessions);
        api.MapGet("/api/support/sessions/{sid}", Session);
        api.MapGet("/api/support/mine", Mine);
        api.MapPost("/api/support/{sid}/claim", Claim);
        api.MapGet("/api/support/claim", Claim); // ?sid=, for JSONP clients
        api.MapPost("/api/support/status", Status);
        api.MapGet("/api/support/status", Status); // ?state=, for JSONP clients
        api.MapGet("/api/support/agents", Agents);
        return api;
    }

    private static async Task<RawJson<QueueView>> Queue(ChatUser user, ChatParameters p, DeskReads reads) =>
        ChatResponse.Desk(await reads.QueueAsync(user, p.Aborted), DeskJson.Default.QueueView);

    private static async Task<RawJson<SessionListView>> Sessions(ChatUser user, ChatParameters p, DeskReads reads)
    {
        var mine = p.Get("mine") switch
        {
            null or "" or "false" => false,
            "true" => true,
            _ => throw new ChatException(ChatError.BadRequest("'mine' must be 'true' or 'false'.")),
        };
        var limit = QueryLimits.Int(p, "limit", 50, 1, DeskReads.MaxListLimit);
        var list = await reads.SessionsAsync(user, p.Get("state"), mine, QueryLimits.OptionalLong(p, "before"), limit, p.Aborted);
        return ChatResponse.Desk(list, DeskJson.Default.SessionListView);
    }

    private static async Task<RawJson<SessionView>> Session(ChatUser user, ChatParameters p, DeskReads reads) =>
        ChatResponse.Desk(await reads.SessionAsync(user, RequireSid(p), p.Aborted), DeskJson.Default.SessionView);

    private static async Task<RawJson<MineView>> Mine(ChatUser user, ChatParameters p, DeskReads reads) =>
        ChatResponse.Desk(await reads.MineAsync(user, p.Aborted), DeskJson.Default.MineView);

    private static async Task<Ok<SessionChangeAnswer>> Claim(ChatUser user, ChatParameters p, SupportDesk desk) =>
        TypedResults.Ok(SessionChangeAnswer.Of(await desk.ClaimAsync(user, SupportEndpoints.SidOf(p))));

    private static async Task<RawJson<AgentView>> Status(ChatUser user, ChatParameters p, SupportDesk desk, DeskReads reads)
    {
        await desk.SetStatusAsync(user, p.Get("state"));
        return ChatResponse.Desk(await reads.AgentAsync(user, p.Aborted), DeskJson.Default.AgentView);
    }

    private static async Task<RawJson<AgentsView>> Agents(ChatUser user, ChatParameters p, DeskReads reads) =>
        ChatResponse.Desk(await reads.AgentsAsync(user, p.Aborted), DeskJson.Default.AgentsView);

    public static long RequireSid(ChatParameters p) =>
        SupportEndpoints.SidOf(p) ?? throw new ChatException(ChatError.BadRequest("'sid' is required."));
}
