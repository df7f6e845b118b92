using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CometChat.Core;

/// <summary>
/// HS256 JWTs with <c>sub</c> = user and <c>exp</c>, signed with Chat:Auth:Key, or with a key generated
/// once and kept in the database. Embedding sites mint the same tokens with any JWT library.
/// </summary>
internal sealed class TokenService
{
    private const int CacheCap = 100_000;
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly SymmetricSecurityKey _key;
    private readonly TimeProvider _time;
    private readonly TimeSpan _lifetime;
    private readonly TokenValidationParameters _validation;
    // Validating a JWT costs far more than a dictionary lookup; long polls present the same token every time.
    private readonly ConcurrentDictionary<string, (string User, long ExpiresMs)> _valid = new(StringComparer.Ordinal);

    public TokenService(IOptions<ChatOptions> options, IUserStore users, TimeProvider time)
    {
        _time = time;
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
    }

    /// <summary>Where the signing key came from: the operator must know whether sites can mint tokens without asking for it.</summary>
    public SigningKeySource KeySource { get; }

    /// <summary><c>sha256:</c> and the first 16 hex digits of the key's SHA-256: names the key in logs without revealing it.</summary>
    public string Fingerprint { get; }

    /// <summary>The signing key in base64, as Chat:Auth:Key takes it (for the <c>key</c> command only).</summary>
    public string KeyBase64 => Convert.ToBase64String(_key.Key);

    public static string FingerprintOf(byte[] key) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(key))[..16];

    public string Issue(string user, TimeSpan? lifetime = null)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object> { ["sub"] = user },
            IssuedAt = now,
            Expires = now + (lifetime ?? _lifetime),
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>The token's user (NFC-normalised), or a 401 saying why not.</summary>
    public async Task<string> ValidateAsync(string token)
    {
        var nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (_valid.TryGetValue(token, out var hit))
        {
            if (hit.ExpiresMs > nowMs) return hit.User;
            _valid.TryRemove(token, out _);
            throw Expired();
        }

        var result = await _handler.ValidateTokenAsync(token, _validation);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt)
            throw new ChatException(ChatError.Unauthorized("'token' is not a valid token signed by this server."));
        if (!jwt.TryGetPayloadValue<long>("exp", out var exp)) throw new ChatException(ChatError.Unauthorized("'token' has no 'exp'."));
        if (exp * 1000 <= nowMs) throw Expired();
        if (jwt.TryGetPayloadValue<long>("nbf", out var nbf) && nbf * 1000 > nowMs + 60_000)
            throw new ChatException(ChatError.Unauthorized("'token' is not valid yet ('nbf')."));
        if (!Names.TryNormalize(jwt.Subject, out var user))
            throw new ChatException(ChatError.Unauthorized("'token' has no valid user name in 'sub'."));

        if (_valid.Count >= CacheCap) _valid.Clear();
        _valid[token] = (user, exp * 1000);
        return user;
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
