using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace CometChat.Core;

/// <summary>
/// Claiming names, logging in, and creating users that a minted token names. Reserved names (agents and the
/// other <see cref="ReservedNames"/>) are never claimed by a first login: they sign in only with the password
/// the operator configured, or with a minted token.
/// </summary>
internal sealed partial class Accounts(MessageWriter writer, IUserStore users, TokenService tokens, ReservedNames reserved,
    IOptions<ChatOptions> options, TimeProvider time, ChatLimits limits, ILogger<Accounts> log) : IHostedService
{
    public const int MaxPasswordChars = 1024;
    private readonly ConcurrentDictionary<string, byte> _known = new(StringComparer.Ordinal);
    private readonly int _iterations = options.Value.Auth.HashIterations;

    public async Task<(string Token, string User)> LoginAsync(string? nameValue, string? password, string? ip, CancellationToken ct)
    {
        var name = Names.User(nameValue, "name");
        if (string.IsNullOrEmpty(password)) throw new ChatException(ChatError.BadRequest("'password' is required."));
        if (password.Length > MaxPasswordChars)
            throw new ChatException(ChatError.BadRequest($"'password' is {password.Length} characters; the limit is {MaxPasswordChars}."));

        limits.CheckLoginRate(ip);
        limits.CheckLoginGuess(name, ip); // before the hash: a guesser waiting out a delay costs no PBKDF2
        if (reserved.IsReserved(name))
        {
            // Only the operator's hash counts: a password stored by a first login before the name was reserved may be a squatter's.
            var configured = reserved.PasswordOf(name) ?? throw new ChatException(ChatError.Forbidden(
                $"'name': '{name}' is reserved (a support agent, a guest, or a name the operator keeps); it cannot be claimed by a first login " +
                "and signs in only with a password the operator set in Chat:Auth:Passwords, or with a minted token."));
            if (!PasswordHash.Verify(password, configured)) throw WrongPassword(name, ip);
            limits.LoginSucceeded(name, ip);
            await EnsureUserAsync(name);
            return (tokens.Issue(name), name);
        }

        var user = await users.GetUserAsync(name, ct);
        if (user is null)
        {
            var hash = PasswordHash.Create(password, _iterations);
            // Two first logins may race: the writer settles which one claimed the name.
            user = await writer.RunAsync(tx =>
            {
                if (tx.GetUser(name) is { } existing) return existing;
                Create(tx, name, hash, "name");
                return tx.GetUser(name)!;
            });
        }
        if (user.PasswordHash is null || !PasswordHash.Verify(password, user.PasswordHash)) throw WrongPassword(name, ip);
        limits.LoginSucceeded(name, ip);
        _known.TryAdd(name, 0);
        return (tokens.Issue(name), name);
    }

    /// <summary>The user a token names, created (without a password) the first time a valid token names it.</summary>
    public async Task<string> AuthenticateAsync(string token)
    {
        var name = await tokens.ValidateAsync(token);
        await EnsureUserAsync(name);
        return name;
    }

    private async Task EnsureUserAsync(string name)
    {
        if (_known.ContainsKey(name)) return;
        await writer.RunAsync(tx =>
        {
            if (!tx.UserExists(name)) Create(tx, name, null, "token");
            return true;
        });
        _known.TryAdd(name, 0);
    }

    /// <summary>Inside the writer: a new user, unless the name looks like an existing or reserved one (403 naming <paramref name="param"/>).</summary>
    private void Create(IWriteTransaction tx, string name, string? passwordHash, string param)
    {
        var skeleton = LookAlikes.Check(tx, NameKind.User, name, param, reserved);
        tx.CreateUser(name, passwordHash, Now());
        tx.SetSkeleton(NameKind.User, name, skeleton);
    }

    /// <summary>
    /// At start: a reserved name whose account holds a password from a first login (claimed before it was
    /// reserved, perhaps by a squatter) loses that password, so only the operator's credentials open it.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var released = await writer.RunAsync(tx =>
        {
            var list = new List<string>();
            foreach (var name in reserved.All)
            {
                if (tx.GetUser(name) is not { PasswordHash: not null }) continue;
                tx.SetPassword(name, null);
                list.Add(name);
            }
            return list;
        });
        foreach (var name in released) LogReservedPasswordRemoved(log, name);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private ChatException WrongPassword(string name, string? ip)
    {
        limits.LoginFailed(name, ip);
        return new(ChatError.Unauthorized("'password' does not match this name, or the name is taken."));
    }

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    [LoggerMessage(1, LogLevel.Warning, "'{Name}' is reserved: the password its account got from a first login was removed; it signs in only with Chat:Auth:Passwords or a minted token")]
    private static partial void LogReservedPasswordRemoved(ILogger logger, string name);
}
