using CometChat.Core;
using CometChat.Http;

namespace CometChat.Endpoints;

internal static class AuthEndpoints
{
    public static RouteGroupBuilder MapAuth(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api");
        api.MapPost("/login", Login);
        api.MapGet("/login", Login); // for JSONP clients, which can only GET
        api.MapGet("/me", Me);
        return api;
    }

    private static async Task<IResult> Login(ChatRequest req, Accounts accounts, Feed feed)
    {
        var (token, user) = await accounts.LoginAsync(req.Get("name"), req.Get("password"), req.Context.Connection.RemoteIpAddress?.ToString(), req.Aborted);
        var cursor = feed.Head;
        return ChatResponse.Ok(req, w =>
        {
            w.WriteStartObject();
            w.WriteString("token", token);
            w.WriteString("user", user);
            w.WriteNumber("cursor", cursor);
            w.WriteEndObject();
        });
    }

    private static async Task<IResult> Me(ChatRequest req, Feed feed)
    {
        var user = await req.UserAsync();
        var cursor = feed.Head;
        return ChatResponse.Ok(req, w =>
        {
            w.WriteStartObject();
            w.WriteString("user", user);
            w.WriteNumber("cursor", cursor);
            w.WriteEndObject();
        });
    }
}
