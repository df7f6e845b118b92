using System.Globalization;
using CometChat.Core;

namespace CometChat.Http;

/// <summary>Parses and range-checks the shared parameters once, naming the parameter on failure.</summary>
internal static class QueryLimits
{
    public const int MaxLimit = 500, DefaultLimit = 100, MaxTimeoutSeconds = 60;

    public static int Limit(ChatParameters p) => Int(p, "limit", DefaultLimit, 1, MaxLimit);

    public static int TimeoutSeconds(ChatParameters p, int fallback) => Int(p, "timeout", fallback, 0, MaxTimeoutSeconds);

    /// <summary><c>since</c> as a cursor; absent means the head. On several nodes, checks the store before answering 409.</summary>
    public static ValueTask<Cursor> SinceAsync(ChatParameters p, Feed feed) => feed.ParseCursorAsync(p.Get("since"), p.Aborted);

    public static string? Client(ChatParameters p)
    {
        var client = p.Get("client");
        MessageSender.CheckClient(client);
        return client is "" ? null : client;
    }

    public static int Int(ChatParameters p, string name, int fallback, int min, int max) => Int(p.Get(name), name, fallback, min, max);

    public static int Int(string? value, string name, int fallback, int min, int max)
    {
        if (value is null or "") return fallback;
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
            throw new ChatException(ChatError.BadRequest($"'{name}' must be an integer from {min} to {max}."));
        return n;
    }

    /// <summary>A boolean parameter: <c>true</c>/<c>1</c> or <c>false</c>/<c>0</c>; absent is false.</summary>
    public static bool Flag(ChatParameters p, string name) => p.Get(name) switch
    {
        null or "" or "false" or "0" => false,
        "true" or "1" => true,
        _ => throw new ChatException(ChatError.BadRequest($"'{name}' must be true or false.")),
    };

    public static long? OptionalLong(ChatParameters p, string name) => OptionalLong(p.Get(name), name);

    public static long? OptionalLong(string? value, string name)
    {
        if (value is null or "") return null;
        if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            throw new ChatException(ChatError.BadRequest($"'{name}' must be a non-negative integer."));
        return n;
    }
}
