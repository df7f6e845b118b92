using CometChat.Core;
using CometChat.Http;

namespace CometChat.Endpoints;

/// <summary>POST /api/guest (GET for JSONP): a new guest identity for a visitor without an account (API.md §7), on the open group.</summary>
internal static class GuestEndpoints
{
    public static IEndpointRouteBuilder MapGuests(this IEndpointRouteBuilder open)
    {
        open.MapPost("/api/guest", Create);
        open.MapGet("/api/guest", Create);
        return open;
    }

    private static async Task<RawJson<GuestView>> Create(HttpContext ctx, Guests guests) =>
        ChatResponse.Desk(await guests.CreateAsync(ctx.Connection.RemoteIpAddress?.ToString()), DeskJson.Default.GuestView);
}
