using System.Globalization;

namespace CometChat.Core;

/// <summary>A feed position: every message with a greater mid is still to come.</summary>
internal readonly record struct Cursor(long Mid)
{
    /// <summary>Parses <paramref name="name"/> (normally <c>since</c>); null when absent. Never past <paramref name="head"/>.</summary>
    public static Cursor? Parse(string? value, long head, string name = "since")
    {
        if (value is null) return null;
        if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var mid))
            throw new ChatException(ChatError.BadRequest($"'{name}' must be a non-negative integer cursor (a mid), got '{Truncate(value)}'."));
        if (mid > head)
            throw new ChatException(ChatError.CursorAhead($"'{name}' {mid} is ahead of the feed head {head}; resume from a cursor the server gave you."));
        return new Cursor(mid);
    }

    private static string Truncate(string s) => s.Length <= 32 ? s : s[..32] + "…";

    public override string ToString() => Mid.ToString(CultureInfo.InvariantCulture);
}
