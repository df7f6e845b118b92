using System.Text.RegularExpressions;

namespace CometChat.Http;

/// <summary>
/// The JSONP rules of API.md §1 in one place: which callbacks are acceptable, and the exact body shape.
/// An invalid callback is never echoed anywhere.
/// </summary>
internal static partial class Jsonp
{
    public const int MaxLength = 64;
    public const string ContentType = "application/javascript; charset=utf-8";

    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
    {
        "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else",
        "enum", "export", "extends", "false", "finally", "for", "function", "if", "implements", "import", "in",
        "instanceof", "interface", "let", "new", "null", "package", "private", "protected", "public", "return",
        "static", "super", "switch", "this", "throw", "true", "try", "typeof", "var", "void", "while", "with",
        "yield", "await", "arguments", "eval", "undefined", "NaN", "Infinity",
    };

    // \z, not $: '$' also matches before a final newline, which let "cb\n" through.
    [GeneratedRegex(@"^[A-Za-z_$][A-Za-z0-9_$]*(\.[A-Za-z_$][A-Za-z0-9_$]*)*\z", RegexOptions.CultureInvariant)]
    private static partial Regex CallbackPattern();

    /// <summary>Null when <paramref name="callback"/> is acceptable, else why not (without quoting it).</summary>
    public static string? Problem(string? callback)
    {
        if (string.IsNullOrEmpty(callback)) return "'callback' must not be empty.";
        if (callback.Length > MaxLength) return $"'callback' is longer than {MaxLength} characters.";
        if (!CallbackPattern().IsMatch(callback)) return "'callback' must be a JavaScript identifier path like 'cb' or 'app.receive'.";
        foreach (var part in callback.Split('.'))
            if (Reserved.Contains(part)) return "'callback' must not use a JavaScript reserved word.";
        return null;
    }

    /// <summary>
    /// Null when <paramref name="callback"/> may name a forever frame's callback, else why not. The frame is an HTML
    /// page on the chat origin calling <c>parent.CALLBACK(...)</c>, so a path through <c>opener</c>, <c>top</c> or
    /// <c>document</c> would let any site that opens it click the chat page's own DOM (same-origin method execution).
    /// Allowed: one identifier under <c>parent</c>, or a path under the library's own <c>CometChat</c> /
    /// <c>cometchat</c> objects (the contract's default is <c>cometchat.receive</c>).
    /// </summary>
    public static string? FrameProblem(string callback)
    {
        var root = callback.Split('.')[0];
        return callback.Contains('.') && root is not ("CometChat" or "cometchat")
            ? "'callback' of a forever frame must be one identifier (called on parent), or a path under CometChat or cometchat."
            : null;
    }

    public static byte[] Prefix(string callback) => System.Text.Encoding.ASCII.GetBytes("/**/" + callback + "(");

    public static ReadOnlySpan<byte> Suffix => ");"u8;
}
