using CometChat.Core;
using CometChat.Http;

namespace CometChat.Endpoints;

/// <summary>The desk's queue, session lists, the customer's own session, claims and the agents' status (API.md §7).</summary>
internal static class DeskEndpoints
{
    public static RouteGroupBuilder MapDesk(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/support");
        api.MapGet("/queue", Queue);
        api.MapGet("/sessions", Sessions);
        api.MapGet("/sessions/{sid}", Session);
        api.MapGet("/mine", Mine);
        api.MapPost("/{sid}/claim", Claim);
        api.MapGet("/claim", Claim); // ?sid=, for JSONP clients
        api.MapPost("/status", Status);
        api.MapGet("/status", Status); // ?state=, for JSONP clients
        api.MapGet("/agents", Agents);
        return api;
    }

    private static async Task<IResult> Queue(ChatRequest req, DeskReads reads) =>
        ChatResponse.Ok(req, await reads.QueueAsync(await req.UserAsync(), req.Aborted), DeskJson.Default.QueueView);

    private static async Task<IResult> Sessions(ChatRequest req, DeskReads reads)
    {
        var user = await req.UserAsync();
        var mine = req.Get("mine") switch
        {
            null or "" or "false" => false,
            "true" => true,
            _ => throw new ChatException(ChatError.BadRequest("'mine' must be 'true' or 'false'.")),
        };
        var limit = QueryLimits.Int(req, "limit", 50, 1, DeskReads.MaxListLimit);
        var list = await reads.SessionsAsync(user, req.Get("state"), mine, QueryLimits.OptionalLong(req, "before"), limit, req.Aborted);
        return ChatResponse.Ok(req, list, DeskJson.Default.SessionListView);
    }

    private static async Task<IResult> Session(ChatRequest req, DeskReads reads)
    {
        var user = await req.UserAsync();
        var sid = SupportEndpoints.SidOf(req) ?? throw new ChatException(ChatError.BadRequest("'sid' is required."));
        return ChatResponse.Ok(req, await reads.SessionAsync(user, sid, req.Aborted), DeskJson.Default.SessionView);
    }

    private static async Task<IResult> Mine(ChatRequest req, DeskReads reads) =>
        ChatResponse.Ok(req, await reads.MineAsync(await req.UserAsync(), req.Aborted), DeskJson.Default.MineView);

    private static async Task<IResult> Claim(ChatRequest req, SupportDesk desk) =>
        SupportEndpoints.Changed(req, await desk.ClaimAsync(await req.UserAsync(), SupportEndpoints.SidOf(req)));

    private static async Task<IResult> Status(ChatRequest req, SupportDesk desk, DeskReads reads)
    {
        var user = await req.UserAsync();
        await desk.SetStatusAsync(user, req.Get("state"));
        return ChatResponse.Ok(req, await reads.AgentAsync(user, req.Aborted), DeskJson.Default.AgentView);
    }

    private static async Task<IResult> Agents(ChatRequest req, DeskReads reads) =>
        ChatResponse.Ok(req, await reads.AgentsAsync(await req.UserAsync(), req.Aborted), DeskJson.Default.AgentsView);
}
