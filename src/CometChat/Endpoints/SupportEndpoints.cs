using CometChat.Core;
using CometChat.Http;

namespace CometChat.Endpoints;

internal static class SupportEndpoints
{
    public static RouteGroupBuilder MapSupport(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/support");
        api.MapPost("/{sid}/transfer", Transfer);
        api.MapPost("/{sid}/close", Close);
        api.MapGet("/transfer", Transfer); // ?sid=&to=, for JSONP clients
        api.MapGet("/close", Close);
        return api;
    }

    /// <summary>The session of a support route: <c>{sid}</c> in the path, else <c>sid=</c> (the JSONP twins).</summary>
    public static long? SidOf(ChatRequest req)
    {
        if (req.Context.Request.RouteValues["sid"] is not string route) return QueryLimits.OptionalLong(req, "sid");
        if (!long.TryParse(route, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var sid))
            throw new ChatException(ChatError.BadRequest("'sid' must be a non-negative integer."));
        return sid;
    }

    private static async Task<IResult> Transfer(ChatRequest req, SupportDesk desk)
    {
        var user = await req.UserAsync();
        var change = await desk.TransferAsync(user, SidOf(req), req.Get("to"));
        return Changed(req, change);
    }

    private static async Task<IResult> Close(ChatRequest req, SupportDesk desk)
    {
        var user = await req.UserAsync();
        var change = await desk.CloseAsync(user, SidOf(req));
        return Changed(req, change);
    }

    /// <summary><c>{"sid","customer","agent","state","changed","mid"?}</c>: a transfer, claim or close.</summary>
    public static IResult Changed(ChatRequest req, SessionChange change)
    {
        var s = change.Session;
        var state = s.ClosedAt is not null ? DeskSession.Closed : s.Agent is null ? DeskSession.Queued : DeskSession.Assigned;
        return ChatResponse.Ok(req, new SessionChangeView(s.Sid, s.Customer, s.Agent, state, change.Message is not null, change.Message?.Mid),
            DeskJson.Default.SessionChangeView);
    }
}
