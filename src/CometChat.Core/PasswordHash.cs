using System.Globalization;
using System.Security.Cryptography;

namespace CometChat.Core;

/// <summary>PBKDF2-SHA256 with a per-user salt, stored as <c>pbkdf2-sha256$iterations$salt$hash</c> (base64).</summary>
internal static class PasswordHash
{
    private const int SaltBytes = 16, HashBytes = 32;

    public static string Create(string password, int iterations)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, HashBytes);
        return $"pbkdf2-sha256${iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    public static bool Verify(string password, string stored)
    {
        if (!TryParse(stored, out var iterations, out var salt, out var expected)) return false;
        var actual = Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>True when <paramref name="stored"/> has the shape <see cref="Create"/> writes (configured hashes are checked at start).</summary>
    public static bool IsWellFormed(string? stored) => stored is not null && TryParse(stored, out _, out _, out _);

    private static bool TryParse(string stored, out int iterations, out byte[] salt, out byte[] hash)
    {
        salt = hash = [];
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != "pbkdf2-sha256"
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out iterations) || iterations < 1)
        {
            iterations = 0;
            return false;
        }
        try
        {
            salt = Convert.FromBase64String(parts[2]);
            hash = Convert.FromBase64String(parts[3]);
        }
        catch (FormatException) { return false; }
        return salt.Length > 0 && hash.Length > 0;
    }
}
