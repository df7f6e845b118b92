using System.IO.Pipelines;
using CometChat.Core;
using CometChat.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace CometChat.Transports.Streaming;

/// <summary>
/// /api/stream (ndjson, text, multipart, html) and /api/events (SSE): one chunked HTTP/1.1 response fed by
/// <see cref="FeedPump"/>. Everything a request can get wrong is rejected before the first byte, so errors
/// are ordinary problem+json (or a page calling the forever frame's callback: see <see cref="ForeverFrameFormat"/>).
/// </summary>
internal sealed partial class StreamLoop(Feed feed, FeedWaiters waiters, IOptions<ChatOptions> options, TimeProvider time,
    IHostApplicationLifetime lifetime, OperatorLog operatorLog)
{
    private readonly TimeProvider _time = time;
    private readonly TimeSpan _heartbeat = TimeSpan.FromSeconds(options.Value.HeartbeatSeconds);
    private readonly TimeSpan _maxLifetime = TimeSpan.FromSeconds(options.Value.Stream.MaxSeconds);
    private readonly TimeSpan _writeTimeout = TimeSpan.FromSeconds(options.Value.Stream.WriteTimeoutSeconds);

    public Task StreamAsync(ChatUser user, ChatParameters p)
    {
        IStreamFormat format = p.Get("format") switch
        {
            null or "" or "ndjson" => NdjsonFormat.Instance,
            "text" => new TextFormat(_time),
            "multipart" => new MultipartFormat(),
            // Its callback is validated with the JSONP rules; its errors are a page calling it (see ForeverFrameFormat).
            "html" => new ForeverFrameFormat(ForeverFrameFormat.CallbackOf(p.Context), HtmlPolicy.Frame(p.Context)),
            _ => throw new ChatException(ChatError.BadRequest("'format' must be ndjson, text, multipart or html.")),
        };
        return RunAsync(user, p, format, p.Get("since"), "since");
    }

    public Task EventsAsync(ChatUser user, ChatParameters p)
    {
        // EventSource sends the last id it saw when it reconnects: that wins over the since of its original URL.
        var lastEventId = p.Context.Request.Headers["Last-Event-ID"];
        return lastEventId.Count > 0 && !string.IsNullOrEmpty(lastEventId[0])
            ? RunAsync(user, p, SseFormat.Instance, lastEventId[0], "Last-Event-ID")
            : RunAsync(user, p, SseFormat.Instance, p.Get("since"), "since");
    }

    private async Task RunAsync(string user, ChatParameters p, IStreamFormat format, string? since, string sinceName)
    {
        var limit = QueryLimits.Limit(p);
        var client = QueryLimits.Client(p);
        var cursor = await feed.ParseCursorAsync(since, p.Aborted, sinceName);

        var ctx = p.Context;
        var response = ctx.Response;
        response.StatusCode = 200;
        response.ContentType = format.ContentType;
        response.Headers.CacheControl = "no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        response.Headers.XContentTypeOptions = "nosniff";
        if (ctx.IsHead()) return; // the headers a GET would get, and no waiting
        // Also switches off response compression, should a host add it: a compressor would hold messages back.
        ctx.Features.GetRequiredFeature<IHttpResponseBodyFeature>().DisableBuffering();

        using var sub = new FeedSubscription(feed, waiters, user, client, cursor, limit, ListenerKind.Stream);
        using var lifetimeEnd = new CancellationTokenSource(_maxLifetime, _time);
        var stopping = lifetime.ApplicationStopping;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(p.Aborted, lifetimeEnd.Token, stopping);
        var sink = new Sink(format, response.BodyWriter, this);
        try
        {
            await FeedPump.RunAsync(sub, sink, _heartbeat, _time, linked.Token);
        }
        // A stream ends in one of four ways (it is never superseded: only polls are).
        catch (OperationCanceledException) when (p.Aborted.IsCancellationRequested)
        {
            // The client hung up; Dispose frees its listener.
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested || lifetimeEnd.IsCancellationRequested)
        {
            // Chat:Stream:MaxSeconds or shutdown: end cleanly so the client reconnects from its cursor.
            format.WriteEnd(response.BodyWriter, sub.Cursor);
            try { await sink.FlushAsync(p.Aborted); }
            catch (Exception e) when (e is OperationCanceledException or WriteTimeoutException or IOException) { ctx.Abort(); }
        }
        catch (OperationCanceledException)
        {
            // The connection closed under a write before Kestrel flagged the request aborted: the same case.
        }
        catch (WriteTimeoutException)
        {
            operatorLog.Refused(RefusalKind.SlowReader, $"{user} (stream {ctx.Request.Path})");
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

    // 30, WriteTimeout: moved to OperatorLog (RefusalKind.SlowReader), summarised under a flood.
}
