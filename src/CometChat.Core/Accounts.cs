using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace CometChat.Core;

/// <summary>
/// Claiming names, logging in, and creating users that a minted token names. Reserved names (agents and the
/// other <see cref="ReservedNames"/>) are never claimed by a first login: they sign in only with the password
/// the operator configured, or with a minted token.
/// </summary>
internal sealed partial class Accounts(MessageWriter writer, IUserStore users, TokenService tokens, ReservedNames reserved, SupportDesk desk,
    ChatFiles files, IOptions<ChatOptions> options, TimeProvider time, ChatLimits limits, ILogger<Accounts> log, OperatorLog operatorLog) : IHostedService
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
            operatorLog.LoggedIn(name, ip);
            await EnsureUserAsync(name);
            return (Issue(await users.GetUserAsync(name, ct)), name);
        }

        var user = await users.GetUserAsync(name, ct);
        if (user is null)
        {
            var hash = PasswordHash.Create(password, _iterations);
            // Two first logins may race: the writer settles which one claimed the name.
            user = await writer.RunAsync(tx =>
            {
                if (tx.Users.GetUser(name) is { } existing) return existing;
                Create(tx, name, hash, "name");
                return tx.Users.GetUser(name)!;
            });
        }
        if (user.PasswordHash is null || !PasswordHash.Verify(password, user.PasswordHash)) throw WrongPassword(name, ip);
        limits.LoginSucceeded(name, ip);
        operatorLog.LoggedIn(name, ip);
        _known.TryAdd(name, 0);
        return (Issue(user), name);
    }

    // After the user's last revocation, even within its millisecond: tokens issued at or before it are void.
    private string Issue(UserRecord? user) => tokens.Issue(user!.Name, issuedAtMs: Math.Max(Now(), (user.TokensAfter ?? 0) + 1));

    /// <summary>The user a token names, created (without a password) the first time a valid token names it.</summary>
    public async Task<AuthenticatedToken> AuthenticateAsync(string token)
    {
        var authenticated = await tokens.ValidateAsync(token);
        await EnsureUserAsync(authenticated.User);
        return authenticated;
    }

    /// <summary>Ends the presented token (<paramref name="all"/>: every token of its user so far), here and on every node.</summary>
    public async Task LogoutAsync(AuthenticatedToken token, bool all, TokenHolders.Holder? current)
    {
        var now = Now();
        await writer.RunAsync(tx =>
        {
            if (all) tx.Users.RevokeTokens(token.User, now);
            else tx.Users.RevokeToken(token.Hash, token.User, token.ExpiresMs);
            return true;
        });
        tokens.Revoked(new TokenRevocation(token.User, all ? null : token.Hash), current);
    }

    /// <summary>
    /// A new password, given the current one (throttled like a login: a stolen token must not become a way to guess
    /// it); every earlier token ends, and the answer is a fresh one.
    /// </summary>
    public async Task<(string Token, string User)> ChangePasswordAsync(AuthenticatedToken token, string? current, string? next, string? ip, TokenHolders.Holder? holder, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(next)) throw new ChatException(ChatError.BadRequest("'newPassword' is required."));
        if (next.Length > MaxPasswordChars)
            throw new ChatException(ChatError.BadRequest($"'newPassword' is {next.Length} characters; the limit is {MaxPasswordChars}."));
        await VerifyOwnPasswordAsync(token.User, current, ip, "change its password", ct);
        var hash = PasswordHash.Create(next, _iterations);
        var now = Now();
        await writer.RunAsync(tx =>
        {
            tx.Users.SetPassword(token.User, hash);
            tx.Users.RevokeTokens(token.User, now);
            return true;
        });
        tokens.Revoked(new TokenRevocation(token.User, null), holder);
        return (tokens.Issue(token.User, issuedAtMs: now + 1), token.User);
    }

    /// <summary>
    /// Deletes the account: every token ends, its name stays taken (no one can claim it), it leaves its rooms, its open
    /// support session closes, the bodies of everything it sent are erased as a recall erases them, and files it
    /// uploaded but never sent are deleted. Answers how many messages were erased.
    /// </summary>
    public async Task<int> DeleteAsync(AuthenticatedToken token, string? password, string? ip, TokenHolders.Holder? holder, CancellationToken ct)
    {
        var user = await VerifyOwnPasswordAsync(token.User, password, ip, "be deleted", ct, passwordless: true);
        var now = Now();
        var (erased, erasedFiles) = await writer.RunAsync(tx =>
        {
            tx.Users.DeleteUser(user, now);
            foreach (var room in tx.Rooms.RoomsOf(user)) Rooms.Leave(tx, user, room, now);
            desk.CloseOpenSessionOf(tx, user, now);
            var (count, sent) = tx.Messages.EraseMessages(new MessageErasure(Sender: user), now);
            return (count, sent.Concat(tx.Files.EraseUnsent(user, null)).ToList());
        });
        foreach (var file in erasedFiles) files.DeleteFromFolder(file); // after the commit, as a recall does
        _known.TryRemove(user, out _);
        tokens.Revoked(new TokenRevocation(user, null), holder);
        LogDeleted(log, user, erased);
        return erased;
    }

    /// <summary>
    /// Re-authentication for an account change: reserved names are the operator's (403); an account with a password must
    /// give it (401, counted as a guess); a site's passwordless account may be deleted without one, but has none to change.
    /// </summary>
    private async Task<string> VerifyOwnPasswordAsync(string name, string? password, string? ip, string what, CancellationToken ct, bool passwordless = false)
    {
        if (reserved.IsReserved(name))
            throw new ChatException(ChatError.Forbidden($"'{name}' is reserved: the operator sets its credentials (Chat:Auth:Passwords), so it cannot {what} here."));
        var user = await users.GetUserAsync(name, ct) ?? throw new ChatException(ChatError.NotFound($"There is no user '{name}'."));
        if (user.PasswordHash is null)
        {
            if (passwordless) return name;
            throw new ChatException(ChatError.Forbidden($"'{name}' signs in with its site's tokens and has no password to change."));
        }
        if (string.IsNullOrEmpty(password)) throw new ChatException(ChatError.BadRequest("'password' is required: the current password."));
        limits.CheckLoginGuess(name, ip);
        if (!PasswordHash.Verify(password, user.PasswordHash)) throw WrongPassword(name, ip);
        limits.LoginSucceeded(name, ip);
        return name;
    }

    private async Task EnsureUserAsync(string name)
    {
        if (_known.ContainsKey(name)) return;
        await writer.RunAsync(tx =>
        {
            if (!tx.Users.UserExists(name)) Create(tx, name, null, "token");
            return true;
        });
        _known.TryAdd(name, 0);
    }

    /// <summary>Inside the writer: a new user, unless the name looks like an existing or reserved one (403 naming <paramref name="param"/>).</summary>
    private void Create(IWrites tx, string name, string? passwordHash, string param)
    {
        var skeleton = LookAlikes.Check(tx, NameKind.User, name, param, reserved);
        tx.Users.CreateUser(name, passwordHash, Now());
        tx.Names.SetSkeleton(NameKind.User, name, skeleton);
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
                if (tx.Users.GetUser(name) is not { PasswordHash: not null }) continue;
                tx.Users.SetPassword(name, null);
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
        operatorLog.LoginFailed(name, ip);
        return new(ChatError.Unauthorized("'password' does not match this name, or the name is taken."));
    }

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    [LoggerMessage(2, LogLevel.Information, "Account '{Name}' was deleted by its owner; {Erased} message bodies erased")]
    private static partial void LogDeleted(ILogger logger, string name, int erased);

    [LoggerMessage(1, LogLevel.Warning, "'{Name}' is reserved: the password its account got from a first login was removed; it signs in only with Chat:Auth:Passwords or a minted token")]
    private static partial void LogReservedPasswordRemoved(ILogger logger, string name);
}
