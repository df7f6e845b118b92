using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace CometChat.Core;

/// <summary>Claiming names, logging in, and creating users that a minted token names.</summary>
internal sealed class Accounts(MessageWriter writer, IUserStore users, TokenService tokens, IOptions<ChatOptions> options, TimeProvider time, ChatLimits limits, OperatorLog log)
{
    public const int MaxPasswordChars = 1024;
    private readonly ConcurrentDictionary<string, byte> _known = new(StringComparer.Ordinal);
    private readonly int _iterations = options.Value.Auth.HashIterations;

    public async Task<(string Token, string User)> LoginAsync(string? nameValue, string? password, string? ip, CancellationToken ct)
    {
        var name = Names.User(nameValue, "name");
        if (Names.IsReserved(name))
            throw new ChatException(ChatError.Forbidden($"'name': names starting with {string.Join(" or ", Names.ReservedPrefixes.Select(p => $"'{p}'"))} are reserved; pick another."));
        if (string.IsNullOrEmpty(password)) throw new ChatException(ChatError.BadRequest("'password' is required."));
        if (password.Length > MaxPasswordChars)
            throw new ChatException(ChatError.BadRequest($"'password' is {password.Length} characters; the limit is {MaxPasswordChars}."));

        limits.CheckLogin(name, ip);
        var user = await users.GetUserAsync(name, ct);
        if (user is null)
        {
            var hash = PasswordHash.Create(password, _iterations);
            // Two first logins may race: the writer settles which one claimed the name.
            user = await writer.RunAsync(tx =>
            {
                tx.Users.CreateUser(name, hash, time.GetUtcNow().ToUnixTimeMilliseconds());
                return tx.Users.GetUser(name)!;
            });
        }
        if (user.PasswordHash is null || !PasswordHash.Verify(password, user.PasswordHash))
        {
            log.LoginFailed(name, ip);
            throw new ChatException(ChatError.Unauthorized("'password' does not match this name, or the name is taken."));
        }
        log.LoggedIn(name, ip);
        _known.TryAdd(name, 0);
        return (tokens.Issue(name), name);
    }

    /// <summary>The user a token names, created (without a password) the first time a valid token names it.</summary>
    public async Task<string> AuthenticateAsync(string token)
    {
        var name = await tokens.ValidateAsync(token);
        if (!_known.ContainsKey(name))
        {
            await writer.RunAsync(tx =>
            {
                tx.Users.CreateUser(name, null, time.GetUtcNow().ToUnixTimeMilliseconds());
                return true;
            });
            _known.TryAdd(name, 0);
        }
        return name;
    }
}
