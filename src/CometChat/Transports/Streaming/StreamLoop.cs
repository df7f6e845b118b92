using System.IO.Pipelines;
using CometChat.Core;
using CometChat.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace CometChat.Transports.Streaming;

/// <summary>
/// /api/stream (ndjson, text, multipart, html) and /api/events (SSE): one chunked HTTP/1.1 response fed by
/// <see cref="FeedPump"/>. Everything a request can get wrong is rejected before the first byte, so errors
/// are ordinary problem+json (or JSONP / a script call where a callback applies).
/// </summary>
internal sealed partial class StreamLoop(Feed feed, FeedWaiters waiters, IOptions<ChatOptions> options, TimeProvider time,
    IHostApplicationLifetime lifetime, ILogger<StreamLoop> log)
{
    private readonly TimeProvider _time = time;
    private readonly TimeSpan _heartbeat = TimeSpan.FromSeconds(options.Value.HeartbeatSeconds);
    private readonly TimeSpan _maxLifetime = TimeSpan.FromSeconds(options.Value.Stream.MaxSeconds);
    private readonly TimeSpan _writeTimeout = TimeSpan.FromSeconds(options.Value.Stream.WriteTimeoutSeconds);

    public async Task StreamAsync(ChatRequest req)
    {
        var format = req.Get("format") ?? "ndjson";
        if (format == "html")
        {
            await ForeverFrameAsync(req);
            return;
        }
        IStreamFormat f = format switch
        {
            "ndjson" or "" => NdjsonFormat.Instance,
            "text" => new TextFormat(_time),
            "multipart" => new MultipartFormat(),
            _ => throw new ChatException(ChatError.BadRequest("'format' must be ndjson, text, multipart or html.")),
        };
        await RunAsync(req, f, req.Get("since"), "since");
    }

    public Task EventsAsync(ChatRequest req)
    {
        // EventSource sends the last id it saw when it reconnects: that wins over the since of its original URL.
        var lastEventId = req.Context.Request.Headers["Last-Event-ID"];
        return lastEventId.Count > 0 && !string.IsNullOrEmpty(lastEventId[0])
            ? RunAsync(req, SseFormat.Instance, lastEventId[0], "Last-Event-ID")
            : RunAsync(req, SseFormat.Instance, req.Get("since"), "since");
    }

    private async Task ForeverFrameAsync(ChatRequest req)
    {
        // An iframe can neither read a status nor run a JSONP body: errors are a page calling the callback too.
        var callback = req.Callback ?? ForeverFrameFormat.DefaultCallback;
        if (Jsonp.FrameProblem(callback) is { } problem) throw new InvalidCallbackException(problem);
        var nonce = HtmlPolicy.Frame(req.Context);
        try
        {
            await RunAsync(req, new ForeverFrameFormat(callback, nonce), req.Get("since"), "since");
        }
        catch (ChatException e) when (!req.Context.Response.HasStarted)
        {
            var page = new System.Buffers.ArrayBufferWriter<byte>(256);
            page.Write("<!DOCTYPE html>\n<html><body><script nonce=\"" + nonce + "\">parent." + callback + "(");
            using (var w = new System.Text.Json.Utf8JsonWriter(page, MessageJson.WriterOptions))
            {
                w.WriteStartObject();
                w.WriteStartObject("error");
                w.WriteNumber("status", e.Error.Status);
                w.WriteString("code", e.Error.Code);
                w.WriteString("message", e.Error.Detail);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            page.Write(");</script></body></html>\n");
            var response = req.Context.Response;
            response.StatusCode = 200;
            response.ContentType = "text/html; charset=utf-8";
            response.Headers.CacheControl = "no-store";
            await response.Body.WriteAsync(page.WrittenMemory, req.Aborted);
        }
    }

    private async Task RunAsync(ChatRequest req, IStreamFormat format, string? since, string sinceName)
    {
        var user = await req.UserAsync();
        var limit = QueryLimits.Limit(req);
        var client = QueryLimits.Client(req);
        var cursor = await feed.ParseCursorAsync(since, req.Aborted, sinceName);

        var ctx = req.Context;
        var response = ctx.Response;
        response.StatusCode = 200;
        response.ContentType = format.ContentType;
        response.Headers.CacheControl = "no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        response.Headers.XContentTypeOptions = "nosniff";
        // Also switches off response compression, should a host add it: a compressor would hold messages back.
        ctx.Features.GetRequiredFeature<IHttpResponseBodyFeature>().DisableBuffering();

        using var sub = new FeedSubscription(feed, waiters, user, client, cursor, limit, ListenerKind.Stream);
        using var lifetimeEnd = new CancellationTokenSource(_maxLifetime, _time);
        var stopping = lifetime.ApplicationStopping;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(req.Aborted, lifetimeEnd.Token, stopping);
        var sink = new Sink(format, response.BodyWriter, this);
        try
        {
            await FeedPump.RunAsync(sub, sink, _heartbeat, _time, linked.Token);
        }
        // A stream ends in one of four ways (it is never superseded: only polls are).
        catch (OperationCanceledException) when (req.Aborted.IsCancellationRequested)
        {
            // The client hung up; Dispose frees its listener.
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested || lifetimeEnd.IsCancellationRequested)
        {
            // Chat:Stream:MaxSeconds or shutdown: end cleanly so the client reconnects from its cursor.
            format.WriteEnd(response.BodyWriter, sub.Cursor);
            try { await sink.FlushAsync(req.Aborted); }
            catch (Exception e) when (e is OperationCanceledException or WriteTimeoutException or IOException) { ctx.Abort(); }
        }
        catch (OperationCanceledException)
        {
            // The connection closed under a write before Kestrel flagged the request aborted: the same case.
        }
        catch (WriteTimeoutException)
        {
            LogWriteTimeout(log, user, _writeTimeout.TotalSeconds);
            ctx.Abort();
        }
    }

    private sealed class Sink(IStreamFormat format, PipeWriter body, StreamLoop loop) : IFeedSink
    {
        public Task StartAsync(Cursor cursor, CancellationToken ct)
        {
            format.WriteStart(body, cursor);
            return FlushAsync(ct);
        }

        public Task DeliverAsync(FeedPage page, CancellationToken ct)
        {
            foreach (var m in page.Messages) format.WriteMessage(body, m);
            if (page.Events is { } events) foreach (var e in events) format.WriteEvent(body, e);
            return FlushAsync(ct);
        }

        public Task HeartbeatAsync(Cursor cursor, CancellationToken ct)
        {
            format.WriteHeartbeat(body, cursor);
            return FlushAsync(ct);
        }

        public Task FlushAsync(CancellationToken ct) => FeedPump.WithWriteTimeoutAsync(loop._writeTimeout, loop._time, async token =>
        {
            var result = await body.FlushAsync(token);
            if (result.IsCanceled) throw new OperationCanceledException(token);
            if (result.IsCompleted) throw new OperationCanceledException("The client is gone.");
        }, ct);
    }

    [LoggerMessage(30, LogLevel.Information, "Stream of {User} cut: it accepted nothing for {Seconds}s")]
    private static partial void LogWriteTimeout(ILogger logger, string user, double seconds);
}
