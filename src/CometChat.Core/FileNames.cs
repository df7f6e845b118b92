using System.Globalization;
using System.Text;

namespace CometChat.Core;

/// <summary>
/// The name a file is stored and offered under, cleaned of what could mislead or harm where it is shown or saved:
/// any path (only the last segment stays), control and format characters (bidi overrides that make "gpj.exe" read
/// "exe.jpg", zero-width characters), characters Windows forbids in names, leading and trailing dots and spaces, runs
/// of spaces, Windows device names; at most <see cref="MaxChars"/> characters (the extension kept); <c>file</c> when
/// nothing is left.
/// </summary>
internal static class FileNames
{
    public const int MaxChars = 120;
    private static readonly string[] Devices = ["CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9"];

    public static string Clean(string? name)
    {
        var text = name ?? "";
        var cut = text.LastIndexOfAny(['/', '\\']);
        if (cut >= 0) text = text[(cut + 1)..];
        text = MessageSender.ReplaceLoneSurrogates(text);
        try { text = text.Normalize(NormalizationForm.FormC); }
        catch (ArgumentException) { }
        var b = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
                or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.OtherNotAssigned || rune.Value == 0xFFFD) continue;
            if (rune.Value is '<' or '>' or ':' or '"' or '|' or '?' or '*') continue;
            if (Rune.IsWhiteSpace(rune))
            {
                if (b.Length > 0 && b[^1] != ' ') b.Append(' ');
                continue;
            }
            b.Append(rune.ToString());
        }
        var clean = b.ToString().Trim(' ', '.');
        var stem = clean.Contains('.') ? clean[..clean.IndexOf('.')] : clean;
        if (Devices.Contains(stem, StringComparer.OrdinalIgnoreCase)) clean = "_" + clean;
        if (clean.Length > MaxChars)
        {
            var dot = clean.LastIndexOf('.');
            var extension = dot > 0 && clean.Length - dot <= 16 ? clean[dot..] : "";
            clean = clean[..(MaxChars - extension.Length)].TrimEnd(' ', '.') + extension;
            if (char.IsHighSurrogate(clean[^(extension.Length + 1)])) clean = clean.Remove(clean.Length - extension.Length - 1, 1);
        }
        return clean.Length == 0 ? "file" : clean;
    }
}
