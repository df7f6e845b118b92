using CometChat.Core;
using CometChat.Transports.Streaming;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace CometChat.Http;

/// <summary>
/// The framework's exception handler, fed by <see cref="ChatErrors"/>: every exception a request raises before its
/// answer started becomes one error answer, written by <see cref="WriteAsync"/> in the request's own wire shape.
/// </summary>
internal sealed partial class ChatExceptionHandler(StoreIncidents incidents, OperatorLog operatorLog, ILogger<ChatExceptionHandler> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext ctx, Exception e, CancellationToken ct)
    {
        if (ctx.Response.HasStarted) return false;
        var mapped = ChatErrors.Of(e);
        // A bug keeps its stack trace; the store failing is one incident (StoreIncidents), not a trace per request.
        if (mapped is null) LogFailed(log, e, ctx.Request.Method, ctx.Request.Path);
        else if (mapped.Value.Status >= 500 && !incidents.Covers(e)) operatorLog.Unavailable(ctx.Request.Path, mapped.Value.Error.Detail);
        await WriteAsync(ctx, mapped ?? ChatErrors.Internal);
        return true;
    }

    /// <summary>
    /// The one writer of an HTTP error answer: a page calling the forever frame's callback, JSONP (status 200, the
    /// error inside) for a GET with a callback, else problem+json through the framework's ProblemDetails service.
    /// </summary>
    public static Task WriteAsync(HttpContext ctx, MappedError error)
    {
        var response = ctx.Response;
        if (error.RetryAfter is { } seconds) response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (ForeverFrameFormat.IsRequestedBy(ctx)) return ForeverFrameFormat.WriteErrorPageAsync(ctx, error);
        if (UploadFrame.CallbackOf(ctx) is { } frame) return UploadFrame.WriteAsync(ctx, frame, ChatJson.Serialize(error.Answer));
        if (Jsonp.CallbackOf(ctx) is { } callback) return Jsonp.WriteAsync(ctx, callback, ChatJson.Serialize(error.Answer));
        var problem = new ProblemDetails
        {
            Type = "https://cometchat.dev/errors/" + error.Error.Code,
            Title = ChatErrors.Title(error.Error.Kind),
            Status = error.Status,
            Detail = error.Error.Detail,
            Extensions = { ["code"] = error.Error.Code },
        };
        return TypedResults.Problem(problem).ExecuteAsync(ctx);
    }

    // 20, Unavailable: moved to OperatorLog (no stack trace, summarised under a flood).

    [LoggerMessage(21, LogLevel.Error, "Request {Method} {Path} failed")]
    private static partial void LogFailed(ILogger logger, Exception e, string method, PathString path);
}
