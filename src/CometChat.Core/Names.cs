using System.Globalization;
using System.Text;

namespace CometChat.Core;

/// <summary>User and room names: 1..32 Unicode letters, digits, '_', '.', '-', NFC-normalised.</summary>
internal static class Names
{
    public const int MaxLength = 32;

    public static bool TryNormalize(string? value, out string name)
    {
        name = "";
        if (string.IsNullOrEmpty(value)) return false;
        string n;
        try { n = value.Normalize(NormalizationForm.FormC); }
        catch (ArgumentException) { return false; } // lone surrogates cannot be normalised
        var length = 0;
        foreach (var rune in n.EnumerateRunes())
        {
            length++;
            var ok = Rune.IsLetterOrDigit(rune) || rune.Value is '_' or '.' or '-'
                || Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark;
            if (!ok || length > MaxLength) return false;
        }
        name = n;
        return true;
    }

    /// <summary>A user name from parameter <paramref name="param"/>, or a 400 naming it.</summary>
    public static string User(string? value, string param)
    {
        if (value is null or "") throw new ChatException(ChatError.BadRequest($"'{param}' is required."));
        if (!TryNormalize(value, out var name))
            throw new ChatException(ChatError.BadRequest($"'{param}' must be 1-{MaxLength} letters, digits, '_', '.' or '-'."));
        return name;
    }

    /// <summary>The user names of a list setting, normalised; a name that is not valid stops the server naming the setting.</summary>
    public static string[] FromSetting(IEnumerable<string> values, string setting) =>
        [.. values.Select(v => TryNormalize(v, out var name) ? name
            : throw new InvalidOperationException($"{setting}: '{v}' is not a valid user name."))];

    /// <summary>A room name, with or without its leading '#'; returned without it.</summary>
    public static string Room(string? value, string param)
    {
        if (value is null or "") throw new ChatException(ChatError.BadRequest($"'{param}' is required."));
        var bare = value.StartsWith('#') ? value[1..] : value;
        if (!TryNormalize(bare, out var name))
            throw new ChatException(ChatError.BadRequest($"'{param}' must be a room name: 1-{MaxLength} letters, digits, '_', '.' or '-', optionally after '#'."));
        return name;
    }
}
