using System.Reflection;
using System.Security.Claims;
using System.Text.Encodings.Web;
using CometChat.Core;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace CometChat.Http;

/// <summary>
/// The token of API.md §1 as an ASP.NET Core authentication scheme: <c>Authorization: Bearer</c>, else
/// <c>token=</c> in the query or the body (JSONP, EventSource, WebSocket and XDomainRequest cannot send
/// headers). Never a cookie. Groups declare it once with <see cref="RequireChatToken"/>, so no endpoint of
/// theirs can be reached without a valid token, whatever its handler does.
/// </summary>
internal sealed class TokenAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    Accounts accounts, TokenHolders holders)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ChatToken";
    private const string Missing = "A token is required: 'Authorization: Bearer <token>' or 'token='.";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = await TokenOfAsync(Context);
        if (string.IsNullOrEmpty(token)) return AuthenticateResult.NoResult();
        AuthenticatedToken authenticated;
        try
        {
            authenticated = await accounts.AuthenticateAsync(token);
        }
        catch (ChatException e) when (e.Error.Kind == ChatErrorKind.Unauthorized)
        {
            return AuthenticateResult.Fail(e);
        }
        // The request is held under its token until it ends, so revoking the token (logout, password change, deletion)
        // aborts it: a parked poll, a stream or a WebSocket does not outlive its token.
        if (Context.Features.Get<ChatToken>() is null)
        {
            var holder = holders.Track(authenticated.User, authenticated.Hash, Context.Abort);
            Context.Response.RegisterForDispose(holder);
            Context.Features.Set(new ChatToken(authenticated, holder));
        }
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, authenticated.User)], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    /// <summary>
    /// No or a bad token on a protected endpoint: the 401 is thrown, so it reaches the client through the one
    /// error writer (problem+json, or JSONP with the error inside). A store that failed while creating the
    /// token's user is a 503, not a 401.
    /// </summary>
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        throw result.Failure switch
        {
            null => new ChatException(ChatError.Unauthorized(Missing)),
            ChatException e => e,
            var other => other,
        };
    }

    /// <summary>The request's token as given: the Bearer header, else <c>token=</c>.</summary>
    public static async ValueTask<string?> TokenOfAsync(HttpContext context)
    {
        var auth = context.Request.Headers.Authorization;
        if (auth.Count == 1 && auth[0] is { } h && h.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return h[7..].Trim();
        return (await ChatParameters.ReadAsync(context)).Get("token");
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
        ValueTask.FromResult<ChatUser?>(context.User.Identity is { IsAuthenticated: true, Name: { } name }
            ? new ChatUser(name)
            // A programming error, not a client's: the endpoint asks for a user but its group does not require one.
            : throw new InvalidOperationException($"{context.Request.Path} asks for a ChatUser outside a RequireChatToken() group."));

    public static implicit operator string(ChatUser user) => user.Name;
}

internal static class TokenAuthentication
{
    public static IServiceCollection AddChatTokens(this IServiceCollection services)
    {
        // The core of authentication only: AddAuthentication() would also start Data Protection, which writes a key
        // ring under the user's home at start, for cookies this server never issues.
        services.AddAuthenticationCore(o => o.DefaultScheme = TokenAuthenticationHandler.SchemeName).AddWebEncoders();
        new AuthenticationBuilder(services).AddScheme<AuthenticationSchemeOptions, TokenAuthenticationHandler>(TokenAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(TokenAuthenticationHandler.SchemeName, p => p.RequireAuthenticatedUser()); // by the default scheme: ours
        return services;
    }

    /// <summary>Every endpoint of the group needs a valid token; handlers take the user as a <see cref="ChatUser"/> parameter.</summary>
    public static TBuilder RequireChatToken<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(TokenAuthenticationHandler.SchemeName);
}
