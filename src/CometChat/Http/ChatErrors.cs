using System.Text.Json.Serialization;
using CometChat.Core;

namespace CometChat.Http;

/// <summary>
/// The one mapping from what went wrong to what every wire says: the exception → <see cref="ChatError"/>, the
/// error kind → HTTP status and problem title, and the one error object (<see cref="ErrorBody"/>) that JSONP,
/// the forever frame, WebSocket and TCP carry. problem+json carries the same status, code and detail.
/// </summary>
internal static class ChatErrors
{
    public static int Status(ChatErrorKind kind) => kind switch
    {
        ChatErrorKind.BadRequest => 400,
        ChatErrorKind.Unauthorized => 401,
        ChatErrorKind.Forbidden => 403,
        ChatErrorKind.NotFound => 404,
        ChatErrorKind.CursorAhead or ChatErrorKind.Conflict => 409,
        ChatErrorKind.TooLarge => 413,
        ChatErrorKind.RateLimited => 429,
        ChatErrorKind.Unavailable => 503,
        _ => 500,
    };

    public static string Title(ChatErrorKind kind) => kind switch
    {
        ChatErrorKind.BadRequest => "Bad request",
        ChatErrorKind.Unauthorized => "Unauthorized",
        ChatErrorKind.Forbidden => "Forbidden",
        ChatErrorKind.NotFound => "Not found",
        ChatErrorKind.Conflict => "Conflict",
        ChatErrorKind.TooLarge => "Too large",
        ChatErrorKind.RateLimited => "Too many requests",
        ChatErrorKind.CursorAhead => "Cursor ahead of the feed",
        ChatErrorKind.Unavailable => "Service unavailable",
        _ => "Error",
    };

    /// <summary>The answer to <paramref name="e"/>, or null for an exception no client input explains (a bug: 500).</summary>
    public static MappedError? Of(Exception e) => e switch
    {
        ChatException c => new(c.Error, Status(c.Error.Kind), c.RetryAfterSeconds),
        StoreUnavailableException s => From(ChatError.Unavailable(s.Message + " Retry shortly; sends are safe to retry with the same id.")),
        BadHttpRequestException { StatusCode: 413 } => From(ChatError.TooLarge("The request body is larger than the server accepts.")),
        // Kestrel's own refusals keep their status (408 for a body too slow, 431 for headers too large).
        BadHttpRequestException b => new(ChatError.BadRequest(b.Message), b.StatusCode, null),
        _ => null,
    };

    /// <summary>The answer to an exception nothing explains: a 500 that still has the shape and headers of every error.</summary>
    public static MappedError Internal { get; } = new(new ChatError(ChatErrorKind.Unavailable, "The server failed to answer this request."), 500, null);

    public static MappedError From(ChatError error) => new(error, Status(error.Kind), null);
}

/// <summary>An error with its wire status and, for rate limits, when to retry.</summary>
internal readonly record struct MappedError(ChatError Error, int Status, int? RetryAfter)
{
    public ErrorAnswer Answer => new(new ErrorBody(Status, Error.Code, Error.Detail, RetryAfter));
}

/// <summary><c>{"error":{"status","code","message","retryAfter"?}}</c>: the error object of JSONP, the forever frame and sockets.</summary>
internal sealed record ErrorAnswer(ErrorBody Error);

/// <summary>
/// <c>status</c>: the HTTP status it stands for; <c>code</c>: the stable API.md code; <c>message</c>: what was
/// wrong, naming the parameter; <c>retryAfter</c>: seconds, on <c>rate_limited</c>.
/// </summary>
internal sealed record ErrorBody(
    int Status,
    string Code,
    string Message,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? RetryAfter);
