using CometChat.Core;
using CometChat.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CometChat.Endpoints;

internal static class AuthEndpoints
{
    /// <summary>/api/login, on the anonymous group: the one way in without a token.</summary>
    public static IEndpointRouteBuilder MapLogin(this IEndpointRouteBuilder open)
    {
        open.MapPost("/api/login", Login);
        open.MapGet("/api/login", Login); // for JSONP clients, which can only GET
        return open;
    }

    public static IEndpointRouteBuilder MapAuth(this IEndpointRouteBuilder api)
    {
        api.MapGet("/api/me", Me);
        // Ending sessions; each POST has a GET twin for JSONP clients, as every write does.
        api.MapPost("/api/logout", Logout);
        api.MapGet("/api/logout", Logout);
        api.MapPost("/api/password", ChangePassword);
        api.MapGet("/api/password", ChangePassword);
        api.MapPost("/api/account/delete", DeleteAccount);
        api.MapGet("/api/account/delete", DeleteAccount);
        return api;
    }

    private static string? AddressOf(ChatParameters p) => p.Context.Connection.RemoteIpAddress?.ToString();

    private static async Task<Ok<LoginAnswer>> Login(ChatParameters p, Accounts accounts, Feed feed)
    {
        var (token, user) = await accounts.LoginAsync(p.Get("name"), p.Get("password"), AddressOf(p), p.Aborted);
        return TypedResults.Ok(new LoginAnswer(token, user, feed.Head));
    }

    private static Ok<MeAnswer> Me(ChatUser user, Feed feed) => TypedResults.Ok(new MeAnswer(user, feed.Head));

    /// <summary><c>all=true</c>: every token of the user so far (log out everywhere); else the presented one.</summary>
    private static async Task<Ok<LogoutAnswer>> Logout(ChatToken token, ChatParameters p, Accounts accounts)
    {
        var all = QueryLimits.Flag(p, "all");
        await accounts.LogoutAsync(token.Token, all, token.Holder);
        return TypedResults.Ok(new LogoutAnswer(true, all ? "all" : "token"));
    }

    private static async Task<Ok<LoginAnswer>> ChangePassword(ChatToken token, ChatParameters p, Accounts accounts, Feed feed)
    {
        var (fresh, user) = await accounts.ChangePasswordAsync(token.Token, p.Get("password"), p.Get("newPassword"), AddressOf(p), token.Holder, p.Aborted);
        return TypedResults.Ok(new LoginAnswer(fresh, user, feed.Head));
    }

    private static async Task<Ok<DeletedAnswer>> DeleteAccount(ChatToken token, ChatParameters p, Accounts accounts)
    {
        var erased = await accounts.DeleteAsync(token.Token, p.Get("password"), AddressOf(p), token.Holder, p.Aborted);
        return TypedResults.Ok(new DeletedAnswer(true, token.Token.User, erased));
    }
}

/// <summary>A token for <c>user</c>, and <c>cursor</c>: the feed head now (start reading after it).</summary>
internal sealed record LoginAnswer(string Token, string User, long Cursor);

/// <summary>Who the token names, and the feed head now.</summary>
internal sealed record MeAnswer(string User, long Cursor);

/// <summary>A logout: <c>revoked</c> is <c>token</c> (the presented one) or <c>all</c> (every token of the user so far).</summary>
internal sealed record LogoutAnswer(bool Ok, string Revoked);

/// <summary>An account deleted: its name, and how many message bodies were erased.</summary>
internal sealed record DeletedAnswer(bool Deleted, string User, int Erased);
