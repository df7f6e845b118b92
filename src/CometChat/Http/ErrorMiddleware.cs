using CometChat.Core;

namespace CometChat.Http;

/// <summary>The one mapping from exceptions to answers: ChatError, bad callbacks, store outages, Kestrel limits.</summary>
internal sealed partial class ErrorMiddleware(RequestDelegate next, ILogger<ErrorMiddleware> log)
{
    public async Task InvokeAsync(HttpContext ctx)
    {
        try
        {
            await next(ctx);
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            // The client hung up; there is nobody to answer.
        }
        catch (InvalidCallbackException e) when (!ctx.Response.HasStarted)
        {
            // Plain text, and the callback is never echoed: a hostile page must not get script back.
            ctx.Response.Clear();
            ctx.Response.StatusCode = 400;
            ctx.Response.ContentType = "text/plain; charset=utf-8";
            ctx.Response.Headers.XContentTypeOptions = "nosniff";
            await ctx.Response.WriteAsync("Bad request: " + e.Message + "\n");
        }
        catch (Exception e) when (!ctx.Response.HasStarted && Map(e) is { } error)
        {
            if (error.Status >= 500) LogUnavailable(log, e, ctx.Request.Path);
            ctx.Response.Clear();
            ctx.Response.Headers.CacheControl = "no-store";
            await ChatResponse.WriteErrorAsync(ctx, error, SafeCallback(ctx), (e as ChatException)?.RetryAfterSeconds);
        }
    }

    private static ChatError? Map(Exception e) => e switch
    {
        ChatException c => c.Error,
        StoreUnavailableException s => ChatError.Unavailable(s.Message + " Retry shortly; sends are safe to retry with the same id."),
        BadHttpRequestException { StatusCode: 413 } => ChatError.TooLarge("The request body is larger than the server accepts."),
        BadHttpRequestException b => new ChatError("bad_request", b.StatusCode, b.Message), // keeps Kestrel's 400/408/431
        _ => null,
    };

    private static string? SafeCallback(HttpContext ctx)
    {
        if (ctx.Items.TryGetValue(typeof(ChatRequest), out var r) && r is ChatRequest req) return req.Callback;
        try { return ChatRequest.CallbackOf(ctx); }
        catch (InvalidCallbackException) { return null; }
    }

    [LoggerMessage(20, LogLevel.Warning, "Request {Path} answered 503")]
    private static partial void LogUnavailable(ILogger logger, Exception e, PathString path);
}
