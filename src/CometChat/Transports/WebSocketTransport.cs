using System.Buffers;
using System.Net.WebSockets;
using CometChat.Core;
using CometChat.Http;
using Microsoft.Extensions.Options;

namespace CometChat.Transports;

/// <summary>
/// /ws: the feed goes out as text frames (one JSON each, a heartbeat frame first and after every quiet
/// Chat:HeartbeatSeconds) while client commands come in. Two loops, one <see cref="FrameWriter"/>;
/// the close handshake has a timeout, then the socket is aborted.
/// </summary>
internal sealed partial class WebSocketTransport(Feed feed, FeedWaiters waiters, ClientCommands commands,
    IOptions<ChatOptions> options, TimeProvider time, IHostApplicationLifetime lifetime, OperatorLog operatorLog)
{
    public static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);
    private readonly TimeSpan _heartbeat = TimeSpan.FromSeconds(options.Value.HeartbeatSeconds);
    private readonly TimeSpan _writeTimeout = TimeSpan.FromSeconds(options.Value.Stream.WriteTimeoutSeconds);
    private readonly int _maxFrame = options.Value.Socket.MaxLineBytes;

    public async Task AcceptAsync(ChatUser chatUser, ChatParameters p)
    {
        var ctx = p.Context;
        if (!ctx.WebSockets.IsWebSocketRequest)
            throw new ChatException(ChatError.BadRequest("'/ws' takes a WebSocket upgrade (GET with 'Upgrade: websocket')."));
        string user = chatUser;
        var limit = QueryLimits.Limit(p);
        var client = QueryLimits.Client(p);
        var cursor = await QueryLimits.SinceAsync(p, feed);

        using var ws = await ctx.WebSockets.AcceptWebSocketAsync();
        using var sub = new FeedSubscription(feed, waiters, user, client, cursor, limit, ListenerKind.Socket);
        using var writer = new SocketWriter(ws, _writeTimeout, time);
        using var feedEnd = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, lifetime.ApplicationStopping);

        var feeding = FeedPump.RunAsync(sub, writer, _heartbeat, time, feedEnd.Token);
        var receiving = ReceiveAsync(ws, writer, user, client, ctx.RequestAborted);
        try
        {
            var receivedFirst = await Task.WhenAny(feeding, receiving) == receiving;
            if (receivedFirst) await feedEnd.CancelAsync();
            var ended = await Quietly(feeding);
            // A write timeout aborts the socket, which can end the receive loop first: a slow reader either way.
            if (ended is WriteTimeoutException) operatorLog.Refused(RefusalKind.SlowReader, user + " (WebSocket)");
            if (receivedFirst)
            {
                // The client closed, broke a rule (the close status says which) or vanished: the feed is stopped; close.
                var status = await receiving;
                if (status is { } s && ws.State is WebSocketState.Open or WebSocketState.CloseReceived)
                    await CloseAsync(ws, writer, s.Status, s.Reason, awaitClient: true, ctx.RequestAborted);
            }
            else
            {
                // Shutdown, a write timeout or a broken connection ended the feed.
                if (ended is OperationCanceledException && ws.State == WebSocketState.Open)
                {
                    // The receive loop is still running: it reads the client's answering close frame.
                    await CloseAsync(ws, writer, WebSocketCloseStatus.EndpointUnavailable, "server shutting down", awaitClient: false, ctx.RequestAborted);
                    using var deadline = new CancellationTokenSource();
                    if (await Task.WhenAny(receiving, Task.Delay(CloseTimeout, time, deadline.Token)) != receiving) ws.Abort();
                    await deadline.CancelAsync();
                }
                else ws.Abort();
                await Quietly(receiving);
            }
        }
        finally
        {
            // A socket that sent its close frame (1007 from the WebSocket itself, 1009, 1001) is disposed, not
            // aborted: an abort could reset the connection before the client reads that frame.
            if (ws.State is WebSocketState.Open or WebSocketState.Connecting) ws.Abort();
        }
    }

    /// <summary>Commands until the client closes (null: nothing more to say) or must be closed with a status.</summary>
    private async Task<(WebSocketCloseStatus Status, string Reason)?> ReceiveAsync(WebSocket ws, SocketWriter writer, string user, string? client, CancellationToken aborted)
    {
        var frame = new ArrayBufferWriter<byte>(1024);
        try
        {
            while (true)
            {
                frame.ResetWrittenCount();
                ValueWebSocketReceiveResult result;
                do
                {
                    // Never cancel a pending receive on shutdown: that aborts the socket before the close handshake.
                    result = await ws.ReceiveAsync(frame.GetMemory(4096), aborted);
                    if (result.MessageType == WebSocketMessageType.Close)
                        return (WebSocketCloseStatus.NormalClosure, "");
                    frame.Advance(result.Count);
                    if (frame.WrittenCount > _maxFrame)
                        return (WebSocketCloseStatus.MessageTooBig, $"frames are limited to {_maxFrame} bytes");
                }
                while (!result.EndOfMessage);
                var reply = await commands.ExecuteAsync(user, client, frame.WrittenMemory, aborted);
                await writer.SendAsync(reply, aborted);
            }
        }
        catch (WebSocketException)
        {
            // A protocol error (invalid UTF-8 in a text frame: 1007, a bad opcode...): the WebSocket has sent its
            // close frame and aborted itself. Returning at once could reset the connection before the client
            // reads that frame, so give the client the close timeout to hang up first.
            if (!aborted.IsCancellationRequested)
            {
                try { await Task.Delay(CloseTimeout, time, aborted); }
                catch (OperationCanceledException) { }
            }
            return null;
        }
        catch (OperationCanceledException) { return null; }
        catch (WriteTimeoutException) { return null; }
    }

    /// <summary>The close frame, in the writer's turn; <paramref name="awaitClient"/> also waits for the client's (no receive loop left).</summary>
    private async Task CloseAsync(WebSocket ws, SocketWriter writer, WebSocketCloseStatus status, string reason, bool awaitClient, CancellationToken aborted)
    {
        using var deadline = new CancellationTokenSource();
        var closing = writer.InTurnAsync(async ct =>
        {
            if (ws.State is not (WebSocketState.Open or WebSocketState.CloseReceived)) return;
            if (awaitClient) await ws.CloseAsync(status, reason, ct);
            else await ws.CloseOutputAsync(status, reason, ct);
        }, aborted);
        var timeout = Task.Delay(CloseTimeout, time, deadline.Token);
        if (await Task.WhenAny(closing, timeout) != closing) ws.Abort();
        await deadline.CancelAsync();
        await Quietly(closing);
    }

    private static async Task<Exception?> Quietly(Task task)
    {
        try
        {
            await task;
            return null;
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or WriteTimeoutException or IOException)
        {
            return e;
        }
    }

    private sealed class SocketWriter(WebSocket ws, TimeSpan writeTimeout, TimeProvider time) : FrameWriter(writeTimeout, time)
    {
        protected override ValueTask WriteFrameAsync(ReadOnlyMemory<byte> frame, CancellationToken ct) =>
            ws.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, ct);

        protected override ValueTask FlushAsync(CancellationToken ct) => ValueTask.CompletedTask;
    }

    // 40, WriteTimeout: moved to OperatorLog (RefusalKind.SlowReader), summarised under a flood.
}
