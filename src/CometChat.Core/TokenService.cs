using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CometChat.Core;

/// <summary>A validated token: its user (enforced name), SHA-256 (base64url, how revocations name it) and expiry (epoch ms).</summary>
internal sealed record AuthenticatedToken(string User, string Hash, long ExpiresMs);

/// <summary>
/// HS256 JWTs with <c>sub</c> = user, <c>iat</c> and <c>exp</c>, signed with Chat:Auth:Key, or with a key generated
/// once and kept in the database. Embedding sites mint the same tokens with any JWT library. A token is void once
/// revoked (logout), once its user's tokens issued before some moment are (password change, log out everywhere,
/// account deletion), or once its account is deleted; every node drops revoked tokens from its cache at once
/// (<see cref="IClusterRevocations"/>), and the connections they opened end (<see cref="TokenHolders"/>).
/// </summary>
internal sealed class TokenService
{
    private const int CacheCap = 100_000;
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly SymmetricSecurityKey _key;
    private readonly TimeProvider _time;
    private readonly TimeSpan _lifetime;
    private readonly TokenValidationParameters _validation;
    private readonly IUserStore _users;
    private readonly TokenHolders _holders;
    private readonly IClusterRevocations? _cluster;
    // On a shared store a revocation from another node may be missed while the backplane is down: recheck then.
    private readonly TimeSpan? _recheck;
    // Validating a JWT costs far more than a dictionary lookup; long polls present the same token every time.
    private readonly ConcurrentDictionary<string, CacheEntry> _valid = new(StringComparer.Ordinal);
    private long _generation;

    public TokenService(IOptions<ChatOptions> options, IUserStore users, TimeProvider time, TokenHolders holders, IClusterRevocations? cluster = null)
    {
        _time = time;
        _users = users;
        _holders = holders;
        _cluster = cluster;
        _recheck = options.Value.SharedStore ? TimeSpan.FromSeconds(options.Value.HeartbeatSeconds) : null;
        _lifetime = TimeSpan.FromHours(options.Value.Auth.TokenHours);
        (var key, KeySource) = LoadKey(options.Value.Auth.Key, users);
        _key = new SymmetricSecurityKey(key);
        Fingerprint = FingerprintOf(key);
        _validation = new TokenValidationParameters
        {
            IssuerSigningKey = _key,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false, // checked below against the injected clock
            RequireExpirationTime = true,
            RequireSignedTokens = true,
        };
        if (cluster is not null) cluster.Received += r =>
        {
            if (r is { } one) Forget(one);
            else
            {
                Interlocked.Increment(ref _generation);
                _valid.Clear(); // reconnected: whatever was revoked meanwhile is read from the store again
            }
        };
    }

    /// <summary>Where the signing key came from: the operator must know whether sites can mint tokens without asking for it.</summary>
    public SigningKeySource KeySource { get; }

    /// <summary><c>sha256:</c> and the first 16 hex digits of the key's SHA-256: names the key in logs without revealing it.</summary>
    public string Fingerprint { get; }

    /// <summary>The signing key in base64, as Chat:Auth:Key takes it (for the <c>key</c> command only).</summary>
    public string KeyBase64 => Convert.ToBase64String(_key.Key);

    public static string FingerprintOf(byte[] key) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(key))[..16];

    /// <summary>
    /// A token for <paramref name="user"/>, issued now (or at <paramref name="issuedAtMs"/>, epoch ms), good for
    /// <paramref name="lifetime"/> (default Chat:Auth:TokenHours). Tokens issued at or before a user's revocation
    /// moment are void, so one issued just after a revocation names the next millisecond.
    /// </summary>
    public string Issue(string user, TimeSpan? lifetime = null, long? issuedAtMs = null)
    {
        var iat = issuedAtMs ?? _time.GetUtcNow().ToUnixTimeMilliseconds();
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            // iat in milliseconds (a NumericDate may have a fraction): a token issued right after its user's earlier
            // tokens were revoked, in the same second, must still hold. jti: two logins in one millisecond get two
            // tokens, so logging one out leaves the other.
            Claims = new Dictionary<string, object> { ["sub"] = user, ["iat"] = iat / 1000.0, ["jti"] = Guid.NewGuid().ToString("N") },
            Expires = DateTimeOffset.FromUnixTimeMilliseconds(iat).UtcDateTime + (lifetime ?? _lifetime),
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>The token's user (enforced name), or a 401 saying why not.</summary>
    public async Task<AuthenticatedToken> ValidateAsync(string token)
    {
        var nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (_valid.TryGetValue(token, out var hit))
        {
            if (hit.Token.ExpiresMs <= nowMs)
            {
                _valid.TryRemove(token, out _);
                throw Expired();
            }
            if (_recheck is not { } recheck || _cluster?.Live == true || _time.GetElapsedTime(hit.CheckedAt) < recheck) return hit.Token;
            _valid.TryRemove(token, out _);
        }

        var result = await _handler.ValidateTokenAsync(token, _validation);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt)
            throw new ChatException(ChatError.Unauthorized("'token' is not a valid token signed by this server."));
        var (exp, nbf, iat, sub) = StrictClaims(jwt);
        if (exp * 1000 <= nowMs) throw Expired();
        if (nbf is { } notBefore && notBefore * 1000 > nowMs + 60_000)
            throw new ChatException(ChatError.Unauthorized("'token' is not valid yet ('nbf')."));
        if (!Names.TryNormalize(sub, out var user))
            throw new ChatException(ChatError.Unauthorized("'token' has no valid user name in 'sub'."));

        var authenticated = new AuthenticatedToken(user, Hash(token), (long)(exp * 1000));
        // A revocation committed while the store is read below must not leave this token cached as valid.
        var generation = Volatile.Read(ref _generation);
        var state = await _users.GetTokenStateAsync(user, authenticated.Hash, CancellationToken.None);
        if (state.DeletedAt is not null) throw new ChatException(ChatError.Unauthorized($"'token': the account '{user}' was deleted."));
        if (state.Revoked) throw new ChatException(ChatError.Unauthorized("'token' was revoked (logged out); log in again."));
        if (state.TokensAfter is { } after && Math.Round((iat ?? 0) * 1000) <= after)
            throw new ChatException(ChatError.Unauthorized("'token' was revoked by a password change or a log-out everywhere; log in again."));

        if (_valid.Count >= CacheCap) _valid.Clear();
        _valid[token] = new CacheEntry(authenticated, _time.GetTimestamp());
        if (Volatile.Read(ref _generation) == generation) return authenticated;
        _valid.TryRemove(token, out _);
        return await ValidateAsync(token); // read the store again: it has the revocation now
    }

    /// <summary>
    /// After a revocation was committed: forgets it here, ends what it opened here (but <paramref name="except"/>, the
    /// request that asked for it), and tells the other nodes.
    /// </summary>
    public void Revoked(TokenRevocation revocation, TokenHolders.Holder? except = null)
    {
        Forget(revocation, except);
        _cluster?.Publish(revocation);
    }

    private void Forget(TokenRevocation revocation, TokenHolders.Holder? except = null)
    {
        Interlocked.Increment(ref _generation);
        foreach (var (token, entry) in _valid)
            if (entry.Token.User == revocation.User && (revocation.TokenHash is null || entry.Token.Hash == revocation.TokenHash))
                _valid.TryRemove(token, out _);
        _holders.Abort(revocation.User, revocation.TokenHash, except);
    }

    /// <summary>How revocations name a token: its SHA-256, base64url (the token itself is never stored).</summary>
    public static string Hash(string token) => Base64UrlEncoder.Encode(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)));

    private readonly record struct CacheEntry(AuthenticatedToken Token, long CheckedAt);

    /// <summary>
    /// The claims as RFC 7519 and RFC 7515 define them, read from the signed JSON itself (the library converts a
    /// string "exp" or a numeric "sub" where the RFCs say refuse): <c>exp</c>, <c>nbf</c> and <c>iat</c> are
    /// NumericDates (JSON numbers), <c>sub</c> is a string, and a <c>crit</c> header is refused, since this
    /// server understands no extension that could be listed in it.
    /// </summary>
    private static (double Exp, double? Nbf, double? Iat, string Sub) StrictClaims(JsonWebToken jwt)
    {
        using (var header = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(jwt.EncodedHeader)))
            if (header.RootElement.TryGetProperty("crit", out _))
                throw new ChatException(ChatError.Unauthorized("'token' has a 'crit' header naming extensions this server does not understand."));
        using var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(jwt.EncodedPayload));
        var claims = payload.RootElement;
        if (claims.ValueKind != JsonValueKind.Object) throw new ChatException(ChatError.Unauthorized("'token' claims are not a JSON object."));
        double? Date(string name)
        {
            if (!claims.TryGetProperty(name, out var v)) return null;
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out var seconds))
                throw new ChatException(ChatError.Unauthorized($"'token' claim '{name}' must be a number (seconds since 1970)."));
            return seconds;
        }
        var exp = Date("exp") ?? throw new ChatException(ChatError.Unauthorized("'token' has no 'exp'."));
        var nbf = Date("nbf");
        var iat = Date("iat");
        if (!claims.TryGetProperty("sub", out var sub) || sub.ValueKind != JsonValueKind.String)
            throw new ChatException(ChatError.Unauthorized("'token' claim 'sub' must be a string: the user name."));
        return (exp, nbf, iat, sub.GetString()!);
    }

    /// <summary>
    /// The site-verified fields of a token that was already validated: its <c>ctx</c> claim, a JSON object of at
    /// most 20 string fields (API.md §7), or empty. A malformed claim is a 400 naming 'ctx'.
    /// </summary>
    public static IReadOnlyDictionary<string, string> SiteContext(string token)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var jwt = new JsonWebToken(token);
        using var payload = System.Text.Json.JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(jwt.EncodedPayload));
        if (!payload.RootElement.TryGetProperty("ctx", out var ctx)) return fields;
        if (ctx.ValueKind != System.Text.Json.JsonValueKind.Object) throw BadContext();
        foreach (var p in ctx.EnumerateObject())
        {
            if (p.Value.ValueKind != System.Text.Json.JsonValueKind.String || fields.Count == SessionContext.MaxSiteFields
                || p.Name.Length is 0 or > Names.MaxLength || p.Value.GetString()!.Length > SessionContext.MaxFieldChars)
                throw BadContext();
            fields[p.Name] = MessageSender.ReplaceLoneSurrogates(p.Value.GetString()!);
        }
        return fields;
    }

    private static ChatException BadContext() => new(ChatError.BadRequest(
        $"'ctx' (a claim of the token) must be an object of at most {SessionContext.MaxSiteFields} string fields, names up to {Names.MaxLength} and values up to {SessionContext.MaxFieldChars} characters."));

    private static ChatException Expired() => new(ChatError.Unauthorized("'token' has expired; log in again."));

    private static (byte[] Key, SigningKeySource Source) LoadKey(string? configured, IUserStore users)
    {
        if (!string.IsNullOrEmpty(configured))
        {
            byte[] key;
            try { key = Convert.FromBase64String(configured); }
            catch (FormatException) { throw new InvalidOperationException("Chat:Auth:Key must be base64."); }
            if (key.Length < 32) throw new InvalidOperationException("Chat:Auth:Key must decode to at least 32 bytes.");
            return (key, SigningKeySource.Configured);
        }
        var fresh = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var stored = users.GetOrAddSetting(GeneratedKeySetting, fresh);
        return (Convert.FromBase64String(stored), stored == fresh ? SigningKeySource.GeneratedNow : SigningKeySource.Stored);
    }

    /// <summary>The database setting that keeps a generated key.</summary>
    public const string GeneratedKeySetting = "auth.key";
}

/// <summary>Chat:Auth:Key; generated at this start and kept in the database; or generated at an earlier start and read from it.</summary>
internal enum SigningKeySource
{
    Configured,
    GeneratedNow,
    Stored,
}
