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
        return api;
    }

    private static async Task<Ok<LoginAnswer>> Login(ChatParameters p, Accounts accounts, Feed feed)
    {
        var (token, user) = await accounts.LoginAsync(p.Get("name"), p.Get("password"), p.Context.Connection.RemoteIpAddress?.ToString(), p.Aborted);
        return TypedResults.Ok(new LoginAnswer(token, user, feed.Head));
    }

    private static Ok<MeAnswer> Me(ChatUser user, Feed feed) => TypedResults.Ok(new MeAnswer(user, feed.Head));
}

/// <summary>A token for <c>user</c>, and <c>cursor</c>: the feed head now (start reading after it).</summary>
internal sealed record LoginAnswer(string Token, string User, long Cursor);

/// <summary>Who the token names, and the feed head now.</summary>
internal sealed record MeAnswer(string User, long Cursor);
