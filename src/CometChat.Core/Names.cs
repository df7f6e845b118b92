using System.Buffers;
using System.Globalization;
using System.Text;

namespace CometChat.Core;

/// <summary>
/// User and room names: the RFC 8265 PRECIS UsernameCaseMapped profile, narrowed to what API.md §1 allows.
/// Enforcement maps full- and half-width characters to their ordinary forms, lower-cases, and normalises to
/// NFC; the result is 1..32 letters, decimal digits, combining marks, <c>_</c>, <c>.</c> and <c>-</c>, with at
/// least one letter or digit and no combining mark first. Refused as PRECIS refuses them: default-ignorable
/// code points (invisible ones: U+034F, U+FE0F, U+3164 ...), compatibility characters (NFKC changes them),
/// old Hangul jamo, unassigned code points, and the RFC 8264 exceptions. The Bidi rule (RFC 5893) is not
/// applied: names carry no direction marks (they are default-ignorable). Two names that look alike are told
/// apart by <see cref="Skeleton"/> (UTS #39).
/// </summary>
internal static class Names
{
    public const int MaxLength = 32;

    /// <summary>
    /// Name prefixes no login may claim (the one place they are listed): <c>guest-</c> names are handed out by
    /// /api/guest. Compared ignoring case, so no look-alike by case slips past.
    /// </summary>
    public static readonly string[] ReservedPrefixes = [Guests.Prefix];

    public static bool IsReserved(string name) =>
        Array.Exists(ReservedPrefixes, p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase));

    /// <summary>The enforced form of <paramref name="value"/>, or false when it is not a valid name.</summary>
    public static bool TryNormalize(string? value, out string name)
    {
        name = "";
        // Width mapping can only shorten; anything far longer is refused before the work.
        if (string.IsNullOrEmpty(value) || value.Length > 8 * MaxLength) return false;
        // Lower-case ASCII names (nearly every name on the wire) are their own enforced form: no ICU work on each send.
        if (IsEnforcedAscii(value))
        {
            name = value;
            return true;
        }
        string n;
        try
        {
            n = MapWidth(value).ToLowerInvariant().Normalize(NormalizationForm.FormC);
        }
        catch (ArgumentException) { return false; } // lone surrogates cannot be normalised
        if (!IsValidEnforced(n)) return false;
        name = n;
        return true;
    }

    /// <summary>True for 1-<see cref="MaxLength"/> of a-z, 0-9, '_', '.', '-' with a letter or digit: valid, and unchanged by every mapping.</summary>
    private static bool IsEnforcedAscii(string value) =>
        value.Length <= MaxLength
        && !value.AsSpan().ContainsAnyExcept(EnforcedAscii)
        && value.AsSpan().ContainsAnyExcept(Punctuation);

    private static readonly SearchValues<char> EnforcedAscii = SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789_.-");
    private static readonly SearchValues<char> Punctuation = SearchValues.Create("_.-");

    /// <summary>True when <paramref name="n"/> is already in enforced form and passes every rule.</summary>
    private static bool IsValidEnforced(string n)
    {
        var length = 0;
        var letterOrDigit = false;
        foreach (var rune in n.EnumerateRunes())
        {
            if (++length > MaxLength) return false;
            var category = Rune.GetUnicodeCategory(rune);
            var mark = category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark;
            if (mark && length == 1) return false; // a mark first would combine with whatever is shown before the name
            var letter = category is UnicodeCategory.LowercaseLetter or UnicodeCategory.UppercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.OtherLetter or UnicodeCategory.ModifierLetter or UnicodeCategory.DecimalDigitNumber;
            if (!letter && !mark && rune.Value is not ('_' or '.' or '-')) return false;
            if (IsDefaultIgnorable(rune.Value) || IsOldHangulJamo(rune.Value) || IsPrecisException(rune.Value) || HasCompat(rune)) return false;
            letterOrDigit |= letter;
        }
        return letterOrDigit;
    }

    /// <summary>
    /// The UTS #39 skeleton (NFD, each character replaced by its confusables.txt prototype, NFD again), taken
    /// once more after lower-casing, since names are case-folded: <c>b0b</c> (skeleton <c>bOb</c>) and <c>bob</c>
    /// look alike. Two names with one skeleton are confusable.
    /// </summary>
    public static string Skeleton(string name) => Confusables.Skeleton(Confusables.Skeleton(name).ToLowerInvariant());

    /// <summary>A user name from parameter <paramref name="param"/>, or a 400 naming it.</summary>
    public static string User(string? value, string param)
    {
        if (value is null or "") throw new ChatException(ChatError.BadRequest($"'{param}' is required."));
        if (!TryNormalize(value, out var name))
            throw new ChatException(ChatError.BadRequest($"'{param}' must be 1-{MaxLength} letters, digits, '_', '.' or '-', with a letter or digit, and no invisible or look-alike compatibility characters."));
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
            throw new ChatException(ChatError.BadRequest($"'{param}' must be a room name: 1-{MaxLength} letters, digits, '_', '.' or '-' with a letter or digit, optionally after '#'."));
        return name;
    }

    /// <summary>
    /// A valid name as close to a stored one as the rules allow (for renaming names stored before the rules):
    /// the enforced form with every refused character dropped, <paramref name="fallback"/> when nothing is left.
    /// </summary>
    public static string Closest(string stored, string fallback)
    {
        if (TryNormalize(stored, out var name)) return name;
        var kept = new StringBuilder();
        string mapped;
        try { mapped = MapWidth(stored).ToLowerInvariant().Normalize(NormalizationForm.FormC); }
        catch (ArgumentException) { mapped = MessageSender.ReplaceLoneSurrogates(stored).ToLowerInvariant(); }
        foreach (var rune in mapped.EnumerateRunes())
        {
            var candidate = kept + rune.ToString();
            if (IsValidEnforced(candidate) || (kept.Length == 0 && rune.Value is '_' or '.' or '-')) kept.Append(rune.ToString());
            if (kept.Length >= MaxLength) break;
        }
        return IsValidEnforced(kept.ToString()) ? kept.ToString() : fallback;
    }

    // RFC 8265 §3.3.2 rule 1: full-width and half-width characters become their decomposition mappings
    // (<wide> and <narrow> in UnicodeData.txt: U+3000 and U+FF01..U+FFEE).
    private static string MapWidth(string value)
    {
        if (!value.AsSpan().ContainsAnyInRange('\u3000', '\u3000') && !value.AsSpan().ContainsAnyInRange('\uFF01', '\uFFEE')) return value;
        var sb = new StringBuilder(value.Length);
        foreach (var c in value)
            sb.Append(c is '\u3000' or (>= '\uFF01' and <= '\uFFEE') ? c.ToString().Normalize(NormalizationForm.FormKC) : c.ToString());
        return sb.ToString();
    }

    // RFC 8264 HasCompat: a code point that NFKC changes (ligatures, circled, super- and subscript forms...).
    private static bool HasCompat(Rune rune)
    {
        if (rune.Value < 0xA0) return false;
        var s = rune.ToString();
        return !string.Equals(s.Normalize(NormalizationForm.FormKC), s.Normalize(NormalizationForm.FormC), StringComparison.Ordinal);
    }

    // Default_Ignorable_Code_Point, from Unicode 15.0's DerivedCoreProperties.txt.
    private static readonly (int First, int Last)[] DefaultIgnorable =
    [
        (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F),
        (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF),
        (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
    ];

    private static bool IsDefaultIgnorable(int cp)
    {
        foreach (var (first, last) in DefaultIgnorable)
            if (cp >= first && cp <= last) return true;
        return false;
    }

    // RFC 8264 §9.9 OldHangulJamo: conjoining jamo, which render as nothing alone or merge with neighbours.
    private static bool IsOldHangulJamo(int cp) => cp is (>= 0x1100 and <= 0x11FF) or (>= 0xA960 and <= 0xA97F) or (>= 0xD7B0 and <= 0xD7FF);

    // RFC 8264 §9.6 Exceptions that are DISALLOWED though their category would pass (tatweel, repeat and tone marks).
    private static bool IsPrecisException(int cp) => cp is 0x0640 or 0x07FA or 0x302E or 0x302F or (>= 0x3031 and <= 0x3035) or 0x303B;
}
