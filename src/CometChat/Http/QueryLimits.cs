using System.Globalization;
using CometChat.Core;

namespace CometChat.Http;

/// <summary>Parses and range-checks the shared query parameters once, naming the parameter on failure.</summary>
internal static class QueryLimits
{
    public const int MaxLimit = 500, DefaultLimit = 100, MaxTimeoutSeconds = 60;

    public static int Limit(ChatRequest req) => Int(req, "limit", DefaultLimit, 1, MaxLimit);

    public static int TimeoutSeconds(ChatRequest req, int fallback) => Int(req, "timeout", fallback, 0, MaxTimeoutSeconds);

    /// <summary><c>since</c> as a cursor; absent means the head (no backlog).</summary>
    public static Cursor Since(ChatRequest req, long head) => Cursor.Parse(req.Get("since"), head) ?? new Cursor(head);

    /// <summary><c>since</c> as a cursor; absent means the head. On several nodes, checks the store before answering 409.</summary>
    public static ValueTask<Cursor> SinceAsync(ChatRequest req, Feed feed) => feed.ParseCursorAsync(req.Get("since"), req.Aborted);

    public static string? Client(ChatRequest req)
    {
        var client = req.Get("client");
        MessageSender.CheckClient(client);
        return client is "" ? null : client;
    }

    public static int Int(ChatRequest req, string name, int fallback, int min, int max)
    {
        var value = req.Get(name);
        if (value is null or "") return fallback;
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
            throw new ChatException(ChatError.BadRequest($"'{name}' must be an integer from {min} to {max}."));
        return n;
    }

    /// <summary>A boolean parameter: <c>true</c>/<c>1</c> or <c>false</c>/<c>0</c>; absent is false.</summary>
    public static bool Flag(ChatRequest req, string name) => req.Get(name) switch
    {
        null or "" or "false" or "0" => false,
        "true" or "1" => true,
        _ => throw new ChatException(ChatError.BadRequest($"'{name}' must be true or false.")),
    };

    public static long? OptionalLong(ChatRequest req, string name)
    {
        var value = req.Get(name);
        if (value is null or "") return null;
        if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            throw new ChatException(ChatError.BadRequest($"'{name}' must be a non-negative integer."));
        return n;
    }
}
