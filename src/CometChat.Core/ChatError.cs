namespace CometChat.Core;

/// <summary>A rejected request: the stable API.md code, its HTTP status, and a detail naming what was wrong.</summary>
internal sealed record ChatError(string Code, int Status, string Detail)
{
    public static ChatError BadRequest(string detail) => new("bad_request", 400, detail);
    public static ChatError Unauthorized(string detail) => new("unauthorized", 401, detail);
    public static ChatError Forbidden(string detail) => new("forbidden", 403, detail);
    public static ChatError NotFound(string detail) => new("not_found", 404, detail);
    public static ChatError TooLarge(string detail) => new("too_large", 413, detail);
    public static ChatError RateLimited(string detail) => new("rate_limited", 429, detail);
    public static ChatError CursorAhead(string detail) => new("cursor_ahead", 409, detail);
    /// <summary>The request clashes with the resource's state (a session someone else claimed, a second rating).</summary>
    public static ChatError Conflict(string detail) => new("conflict", 409, detail);
    public static ChatError Unavailable(string detail) => new("unavailable", 503, detail);

    public string Title => Code switch
    {
        "bad_request" => "Bad request",
        "unauthorized" => "Unauthorized",
        "forbidden" => "Forbidden",
        "not_found" => "Not found",
        "too_large" => "Too large",
        "rate_limited" => "Too many requests",
        "cursor_ahead" => "Cursor ahead of the feed",
        "conflict" => "Conflict",
        "unavailable" => "Service unavailable",
        _ => "Error",
    };
}

/// <summary>Thrown by the core to reject a request; the HTTP layer turns it into problem+json or JSONP.</summary>
internal sealed class ChatException(ChatError error) : Exception(error.Detail)
{
    public ChatError Error { get; } = error;
    public int? RetryAfterSeconds { get; init; }
}
