using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
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
        _key = new SymmetricSecurityKey(LoadKey(options.Value.Auth.Key, users));
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

    public string Issue(string user)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object> { ["sub"] = user },
            IssuedAt = now,
            Expires = now + _lifetime,
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
        var (exp, nbf, sub) = StrictClaims(jwt);
        if (exp * 1000 <= nowMs) throw Expired();
        if (nbf is { } notBefore && notBefore * 1000 > nowMs + 60_000)
            throw new ChatException(ChatError.Unauthorized("'token' is not valid yet ('nbf')."));
        if (!Names.TryNormalize(sub, out var user))
            throw new ChatException(ChatError.Unauthorized("'token' has no valid user name in 'sub'."));

        if (_valid.Count >= CacheCap) _valid.Clear();
        _valid[token] = (user, (long)(exp * 1000));
        return user;
    }

    /// <summary>
    /// The claims as RFC 7519 and RFC 7515 define them, read from the signed JSON itself (the library converts a
    /// string "exp" or a numeric "sub" where the RFCs say refuse): <c>exp</c>, <c>nbf</c> and <c>iat</c> are
    /// NumericDates (JSON numbers), <c>sub</c> is a string, and a <c>crit</c> header is refused, since this
    /// server understands no extension that could be listed in it.
    /// </summary>
    private static (double Exp, double? Nbf, string Sub) StrictClaims(JsonWebToken jwt)
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
        _ = Date("iat"); // checked for its type only
        if (!claims.TryGetProperty("sub", out var sub) || sub.ValueKind != JsonValueKind.String)
            throw new ChatException(ChatError.Unauthorized("'token' claim 'sub' must be a string: the user name."));
        return (exp, nbf, sub.GetString()!);
    }

    private static ChatException Expired() => new(ChatError.Unauthorized("'token' has expired; log in again."));

    private static byte[] LoadKey(string? configured, IUserStore users)
    {
        if (!string.IsNullOrEmpty(configured))
        {
            byte[] key;
            try { key = Convert.FromBase64String(configured); }
            catch (FormatException) { throw new InvalidOperationException("Chat:Auth:Key must be base64."); }
            if (key.Length < 32) throw new InvalidOperationException("Chat:Auth:Key must decode to at least 32 bytes.");
            return key;
        }
        return Convert.FromBase64String(users.GetOrAddSetting("auth.key", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))));
    }
}
