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

    private static long? SidOf(ChatRequest req)
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
        return ChatResponse.Ok(req, w => WriteChange(w, change));
    }

    private static async Task<IResult> Close(ChatRequest req, SupportDesk desk)
    {
        var user = await req.UserAsync();
        var change = await desk.CloseAsync(user, SidOf(req));
        return ChatResponse.Ok(req, w => WriteChange(w, change));
    }

    private static void WriteChange(System.Text.Json.Utf8JsonWriter w, SessionChange change)
    {
        var s = change.Session;
        w.WriteStartObject();
        w.WriteNumber("sid", s.Sid);
        w.WriteString("customer", s.Customer);
        if (s.Agent is { } agent) w.WriteString("agent", agent);
        else w.WriteNull("agent");
        w.WriteString("state", s.ClosedAt is not null ? "closed" : s.Agent is null ? "queued" : "assigned");
        w.WriteBoolean("changed", change.Message is not null);
        if (change.Message is { } m) w.WriteNumber("mid", m.Mid);
        w.WriteEndObject();
    }
}
