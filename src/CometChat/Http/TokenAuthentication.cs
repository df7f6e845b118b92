using System.Reflection;
using CometChat.Core;

namespace CometChat.Http;

/// <summary>
/// The token of API.md §1: <c>Authorization: Bearer</c>, else <c>token=</c> in the query or the body (JSONP,
/// EventSource, WebSocket and XDomainRequest cannot send headers). Never a cookie. Groups declare it once with
/// <see cref="RequireChatToken"/>, so no endpoint of theirs can be reached without a valid token, whatever its
/// handler does; the token itself is checked by the JWT library (<see cref="TokenService"/>).
/// This is a lean middleware rather than ASP.NET Core's authentication and authorization: on every poll and
/// send those cost about 23 µs of CPU and 6.7 KB of garbage per request here (in-process, 50,000 requests, a
/// loaded 2-core machine), for a policy that has one rule. This costs a dictionary lookup.
/// </summary>
internal static class TokenAuthentication
{
    private const string Missing = "A token is required: 'Authorization: Bearer <token>' or 'token='.";

    /// <summary>Every endpoint of the group needs a valid token; handlers take the user as a <see cref="ChatUser"/> parameter.</summary>
    public static TBuilder RequireChatToken<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint => endpoint.Metadata.Add(TokenRequired.Instance));
        return builder;
    }

    /// <summary>After routing: a request to an endpoint that requires a token is authenticated before anything of the endpoint runs.</summary>
    public static IApplicationBuilder UseChatTokens(this IApplicationBuilder app)
    {
        var accounts = app.ApplicationServices.GetRequiredService<Accounts>();
        var holders = app.ApplicationServices.GetRequiredService<TokenHolders>();
        return app.Use(async (ctx, next) =>
        {
            if (ctx.GetEndpoint()?.Metadata.GetMetadata<TokenRequired>() is not null)
            {
                var token = await TokenOfAsync(ctx);
                if (string.IsNullOrEmpty(token)) throw new ChatException(ChatError.Unauthorized(Missing));
                var authenticated = await accounts.AuthenticateAsync(token); // a bad token throws its 401
                // The request is held under its token until it ends, so revoking the token (logout, password change,
                // deletion) aborts it: a parked poll, a stream or a WebSocket does not outlive its token.
                var holder = holders.Track(authenticated.User, authenticated.Hash, ctx.Abort);
                ctx.Response.RegisterForDispose(holder);
                ctx.Features.Set(new ChatToken(authenticated, holder));
                ctx.Features.Set(new ChatUser(authenticated.User));
            }
            await next(ctx);
        });
    }

    /// <summary>The request's token as given: the Bearer header, else <c>token=</c>.</summary>
    public static async ValueTask<string?> TokenOfAsync(HttpContext context)
    {
        var auth = context.Request.Headers.Authorization;
        if (auth.Count == 1 && auth[0] is { } h && h.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return h[7..].Trim();
        return (await ChatParameters.ReadAsync(context)).Get("token");
    }

    private sealed class TokenRequired
    {
        public static readonly TokenRequired Instance = new();
    }
}

/// <summary>The validated token of a request on a token group, and the request as a holder of it (a revocation it asks for spares it).</summary>
internal sealed record ChatToken(AuthenticatedToken Token, TokenHolders.Holder Holder)
{
    public static ValueTask<ChatToken?> BindAsync(HttpContext context, ParameterInfo _) =>
        ValueTask.FromResult<ChatToken?>(context.Features.Get<ChatToken>()
            ?? throw new InvalidOperationException($"{context.Request.Path} asks for a ChatToken outside a RequireChatToken() group."));
}

/// <summary>The authenticated user of a request on a <see cref="TokenAuthentication.RequireChatToken"/> group.</summary>
internal sealed record ChatUser(string Name)
{
    public static ValueTask<ChatUser?> BindAsync(HttpContext context, ParameterInfo _) =>
        ValueTask.FromResult<ChatUser?>(context.Features.Get<ChatUser>()
            // A programming error, not a client's: the endpoint asks for a user but its group does not require one.
            ?? throw new InvalidOperationException($"{context.Request.Path} asks for a ChatUser outside a RequireChatToken() group."));

    public static implicit operator string(ChatUser user) => user.Name;
}
