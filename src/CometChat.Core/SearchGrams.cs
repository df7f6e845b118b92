namespace CometChat.Core;

/// <summary>
/// The search index's tokens: every overlapping pair of characters of the lowercased text, each written as eight
/// ASCII letters (the two UTF-16 code units in base 16, digits a..p), in order. A query's pairs, as a phrase (each
/// right after the one before), match exactly the texts that contain the query: substring search for every script,
/// Chinese and Japanese included (no spaces between words), and for two-character queries (退货), which the trigram
/// tokenizer cannot answer. The same tokens serve both engines (SQLite FTS5, PostgreSQL full-text search).
/// </summary>
internal static class SearchGrams
{
    public const int MinQueryChars = 2, MaxQueryChars = 100;

    /// <summary>The index document of <paramref name="body"/>: its tokens separated by spaces ("" when shorter than two characters).</summary>
    public static string Document(string body)
    {
        var lower = body.ToLowerInvariant();
        if (lower.Length < 2) return "";
        // Written in place: this runs for every stored message, and a string per pair was most of a send's garbage.
        return string.Create(9 * (lower.Length - 1) - 1, lower, static (into, text) =>
        {
            for (var i = 0; i + 1 < text.Length; i++)
            {
                var token = into.Slice(9 * i, 8);
                Write(text[i], token[..4]);
                Write(text[i + 1], token[4..]);
                if (i + 2 < text.Length) into[9 * i + 8] = ' ';
            }
        });
    }

    /// <summary>The tokens of <paramref name="text"/>, in order (none when shorter than two characters): a query's phrase.</summary>
    public static string[] Tokens(string text) => Document(text) is { Length: > 0 } document ? document.Split(' ') : [];

    private static void Write(char c, Span<char> into)
    {
        for (var k = 0; k < 4; k++) into[k] = (char)('a' + ((c >> (12 - 4 * k)) & 0xF));
    }

    /// <summary><paramref name="q"/> as a query, or a 400 naming 'q'.</summary>
    public static SearchQuery Query(string? q)
    {
        if (string.IsNullOrEmpty(q)) throw new ChatException(ChatError.BadRequest("'q' is required: the text to search for."));
        if (q.Length < MinQueryChars || q.Length > MaxQueryChars)
            throw new ChatException(ChatError.BadRequest($"'q' must be {MinQueryChars} to {MaxQueryChars} characters; it is {q.Length}."));
        return new SearchQuery(q, Tokens(MessageSender.ReplaceLoneSurrogates(q)));
    }
}

/// <summary>A search: the text asked for, and its tokens, to be found in this order, each right after the one before.</summary>
internal sealed record SearchQuery(string Text, IReadOnlyList<string> Tokens);
