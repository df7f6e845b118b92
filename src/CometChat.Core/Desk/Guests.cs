using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace CometChat.Core;

/// <summary>
/// Guest identities for visitors without an account (POST /api/guest): <c>guest-</c> plus 12 random
/// characters, created without a password (so no login can ever claim one; the prefix is reserved too),
/// with a token that lives Chat:Auth:GuestTokenHours, limited per client address.
/// </summary>
internal sealed class Guests(MessageWriter writer, TokenService tokens, ChatLimits limits, TimeProvider time, IOptions<ChatOptions> options)
{
    public const string Prefix = "guest-";
    private const string Alphabet = "abcdefghijkmnpqrstuvwxyz23456789"; // no look-alikes (l/1, o/0)
    private readonly TimeSpan _lifetime = TimeSpan.FromHours(options.Value.Auth.GuestTokenHours);

    public static bool IsGuest(string user) => user.StartsWith(Prefix, StringComparison.Ordinal);

    public async Task<GuestView> CreateAsync(string? ip)
    {
        limits.CheckGuest(ip);
        var name = Prefix + RandomNumberGenerator.GetString(Alphabet, 12);
        await writer.RunAsync(tx =>
        {
            tx.Users.CreateUser(name, null, time.GetUtcNow().ToUnixTimeMilliseconds());
            return true;
        });
        return new GuestView(tokens.Issue(name, _lifetime), name);
    }
}
