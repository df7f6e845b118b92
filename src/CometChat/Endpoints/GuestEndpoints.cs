using CometChat.Core;
using CometChat.Http;

namespace CometChat.Endpoints;

/// <summary>POST /api/guest (GET for JSONP): a new guest identity for a visitor without an account (API.md §7).</summary>
internal static class GuestEndpoints
{
    public static IEndpointRouteBuilder MapGuests(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/guest", Create);
        app.MapGet("/api/guest", Create);
        return app;
    }

    private static async Task<IResult> Create(ChatRequest req, Guests guests) =>
        ChatResponse.Ok(req, await guests.CreateAsync(req.Context.Connection.RemoteIpAddress?.ToString()), DeskJson.Default.GuestView);
}
