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
        // Ending sessions; each POST has a GET twin for JSONP clients, as every write does.
        api.MapPost("/logout", Logout);
        api.MapGet("/logout", Logout);
        api.MapPost("/password", ChangePassword);
        api.MapGet("/password", ChangePassword);
        api.MapPost("/account/delete", DeleteAccount);
        api.MapGet("/account/delete", DeleteAccount);
        return api;
    }

    private static string? AddressOf(ChatRequest req) => req.Context.Connection.RemoteIpAddress?.ToString();

    private static async Task<IResult> Login(ChatRequest req, Accounts accounts, Feed feed)
    {
        var (token, user) = await accounts.LoginAsync(req.Get("name"), req.Get("password"), AddressOf(req), req.Aborted);
        return SignedIn(req, token, user, feed.Head);
    }

    private static IResult SignedIn(ChatRequest req, string token, string user, long cursor) => ChatResponse.Ok(req, w =>
    {
        w.WriteStartObject();
        w.WriteString("token", token);
        w.WriteString("user", user);
        w.WriteNumber("cursor", cursor);
        w.WriteEndObject();
    });

    /// <summary><c>all=true</c>: every token of the user so far (log out everywhere); else the presented one.</summary>
    private static async Task<IResult> Logout(ChatRequest req, Accounts accounts)
    {
        var token = await req.TokenAsync();
        var all = QueryLimits.Flag(req, "all");
        await accounts.LogoutAsync(token, all, req.Holder);
        return ChatResponse.Ok(req, w =>
        {
            w.WriteStartObject();
            w.WriteBoolean("ok", true);
            w.WriteString("revoked", all ? "all" : "token");
            w.WriteEndObject();
        });
    }

    private static async Task<IResult> ChangePassword(ChatRequest req, Accounts accounts, Feed feed)
    {
        var token = await req.TokenAsync();
        var (fresh, user) = await accounts.ChangePasswordAsync(token, req.Get("password"), req.Get("newPassword"), AddressOf(req), req.Holder, req.Aborted);
        return SignedIn(req, fresh, user, feed.Head);
    }

    private static async Task<IResult> DeleteAccount(ChatRequest req, Accounts accounts)
    {
        var token = await req.TokenAsync();
        var erased = await accounts.DeleteAsync(token, req.Get("password"), AddressOf(req), req.Holder, req.Aborted);
        return ChatResponse.Ok(req, w =>
        {
            w.WriteStartObject();
            w.WriteBoolean("deleted", true);
            w.WriteString("user", token.User);
            w.WriteNumber("erased", erased);
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
