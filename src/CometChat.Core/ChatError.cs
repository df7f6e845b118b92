namespace CometChat.Core;

/// <summary>
/// What went wrong, in the core's own terms: one of the contract's stable kinds (API.md §1) and a detail
/// naming the offending parameter. The core knows no HTTP: each wire (HTTP, JSONP, WebSocket, TCP) maps the
/// kind to what it speaks in one place, <c>CometChat.Http.ChatErrors</c>.
/// </summary>
internal sealed record ChatError(ChatErrorKind Kind, string Detail)
{
    public static ChatError BadRequest(string detail) => new(ChatErrorKind.BadRequest, detail);
    public static ChatError Unauthorized(string detail) => new(ChatErrorKind.Unauthorized, detail);
    public static ChatError Forbidden(string detail) => new(ChatErrorKind.Forbidden, detail);
    public static ChatError NotFound(string detail) => new(ChatErrorKind.NotFound, detail);
    public static ChatError Conflict(string detail) => new(ChatErrorKind.Conflict, detail);
    public static ChatError TooLarge(string detail) => new(ChatErrorKind.TooLarge, detail);
    public static ChatError RateLimited(string detail) => new(ChatErrorKind.RateLimited, detail);
    public static ChatError CursorAhead(string detail) => new(ChatErrorKind.CursorAhead, detail);
    public static ChatError Unavailable(string detail) => new(ChatErrorKind.Unavailable, detail);

    /// <summary>The stable <c>code</c> every wire carries: <c>bad_request</c>, <c>not_found</c>, ...</summary>
    public string Code => Kind switch
    {
        ChatErrorKind.BadRequest => "bad_request",
        ChatErrorKind.Unauthorized => "unauthorized",
        ChatErrorKind.Forbidden => "forbidden",
        ChatErrorKind.NotFound => "not_found",
        ChatErrorKind.Conflict => "conflict",
        ChatErrorKind.TooLarge => "too_large",
        ChatErrorKind.RateLimited => "rate_limited",
        ChatErrorKind.CursorAhead => "cursor_ahead",
        ChatErrorKind.Unavailable => "unavailable",
        _ => "error",
    };
}

/// <summary>
/// The kinds of refusal. Input wrong or missing; no or a bad token; a user not allowed; something that does
/// not exist; a state that forbids it now (a second rating, a session someone else took); too big; too
/// often; a cursor the feed has not reached; the store unable to serve now (safe to retry).
/// </summary>
internal enum ChatErrorKind { BadRequest, Unauthorized, Forbidden, NotFound, Conflict, TooLarge, RateLimited, CursorAhead, Unavailable }

/// <summary>Thrown by the core to reject a request; each wire turns it into its own error answer.</summary>
internal sealed class ChatException(ChatError error) : Exception(error.Detail)
{
    public ChatError Error { get; } = error;

    /// <summary>Seconds after which a retry may succeed (rate limits); every wire passes it on.</summary>
    public int? RetryAfterSeconds { get; init; }
}
