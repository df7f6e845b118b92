using System.IO.Pipelines;
using System.Net;
using System.Text;
using CometChat.Core;
using CometChat.Http;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace CometChat.Transports.Socket;

/// <summary>
/// The raw TCP socket (Chat:Socket:Port) on Kestrel's own connection pipeline: <c>AUTH &lt;token&gt; [since]</c>
/// answered <c>OK &lt;cursor&gt;</c> or <c>ERR &lt;reason&gt;</c> (and closed), then the /ws JSON frames both
/// ways as lines. A Flash policy request gets the policy; an AUTH line ending in <c>\0</c> switches the
/// connection to <c>\0</c>-terminated frames. A client that sends no AUTH within Chat:Socket:AuthSeconds, or is
/// silent for Chat:Socket:IdleSeconds after it, is closed.
/// </summary>
internal sealed partial class SocketConnectionHandler(Accounts accounts, TokenHolders holders, Feed feed, FeedWaiters waiters, ClientCommands commands,
    IOptions<ChatOptions> options, TimeProvider time, IHostApplicationLifetime lifetime, OperatorLog operatorLog, ILogger<SocketConnectionHandler> log) : ConnectionHandler
{
    private readonly ChatOptions _options = options.Value;
    private readonly TimeSpan _idle = TimeSpan.FromSeconds(options.Value.Socket.IdleSeconds);
    private readonly TimeSpan _auth = TimeSpan.FromSeconds(options.Value.Socket.AuthSeconds);
    private readonly TimeSpan _heartbeat = TimeSpan.FromSeconds(options.Value.HeartbeatSeconds);
    private readonly TimeSpan _writeTimeout = TimeSpan.FromSeconds(options.Value.Stream.WriteTimeoutSeconds);
    private readonly int _maxLine = options.Value.Socket.MaxLineBytes;

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var input = connection.Transport.Input;
        var output = connection.Transport.Output;
        // One idle timer per connection, pushed back by every frame the client sends (before it is answered); until the
        // AUTH line it is the much shorter Chat:Socket:AuthSeconds, so unauthenticated sockets cannot pile up.
        using var idle = new CancellationTokenSource(_auth, time);
        using var closing = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed, lifetime.ApplicationStopping, idle.Token);
        try
        {
            var line = await LineFraming.ReadAsync(input, null, _maxLine, closing.Token);
            if (line.Status == FrameStatus.Closed) return;
            idle.CancelAfter(_idle);
            var terminator = line.Terminator;
            if (line.Status == FrameStatus.TooLong)
            {
                await RefuseAsync(output, $"line longer than {_maxLine} bytes", terminator);
                return;
            }
            var text = Encoding.UTF8.GetString(line.Bytes);
            if (text == FlashPolicy.Request && terminator == LineFraming.Nul)
            {
                var port = (connection.LocalEndPoint as IPEndPoint)?.Port ?? _options.Socket.Port;
                await output.WriteAsync(FlashPolicy.Document(_options.Cors.Origins, port));
                return;
            }

            var (token, cursor, refusal) = await AuthenticateAsync(text);
            if (token is null)
            {
                LogRefused(log, connection.RemoteEndPoint, refusal!);
                await RefuseAsync(output, refusal!, terminator);
                return;
            }
            // Held under its token: revoking it (logout, password change, deletion) closes the socket.
            using var holder = holders.Track(token.User, token.Hash, connection.Abort);
            await ServeAsync(connection, token.User, cursor, terminator, idle, closing.Token);
        }
        catch (OperationCanceledException)
        {
            // Closed by the client, by shutdown or by the idle timeout (before AUTH): nothing more to say.
        }
        catch (ConnectionResetException)
        {
        }
        finally
        {
            await input.CompleteAsync();
            await output.CompleteAsync();
        }
    }

    private async Task ServeAsync(ConnectionContext connection, string user, Cursor cursor, byte terminator, CancellationTokenSource idle, CancellationToken closing)
    {
        var output = connection.Transport.Output;
        using var sub = new FeedSubscription(feed, waiters, user, client: null, cursor, QueryLimits.DefaultLimit, ListenerKind.Socket);
        using var writer = new LineWriter(output, terminator, _writeTimeout, time);
        await writer.InTurnAsync(async ct =>
        {
            LineFraming.Write(output, Encoding.ASCII.GetBytes("OK " + cursor), terminator);
            await output.FlushAsync(ct);
        }, closing);

        using var end = CancellationTokenSource.CreateLinkedTokenSource(closing);
        var feeding = FeedPump.RunAsync(sub, writer, _heartbeat, time, end.Token);
        var receiving = ReceiveAsync(connection.Transport.Input, writer, user, terminator, idle, end.Token);
        await Task.WhenAny(feeding, receiving);
        await end.CancelAsync();
        var cut = false;
        foreach (var task in new[] { feeding, receiving })
        {
            try { await task; }
            catch (WriteTimeoutException) { operatorLog.Refused(RefusalKind.SlowReader, user + " (TCP socket)"); connection.Abort(); cut = true; }
            catch (Exception e) when (e is OperationCanceledException or IOException or ConnectionResetException) { }
        }
        if (lifetime.ApplicationStopping.IsCancellationRequested && !cut)
        {
            // Told, like WebSocket (1001) and streams: the client reconnects from this cursor after the restart.
            try { await writer.SendAsync(ShutdownFrame(sub.Cursor), CancellationToken.None); }
            catch (Exception e) when (e is OperationCanceledException or IOException or ConnectionResetException or WriteTimeoutException) { }
        }
    }

    /// <summary><c>{"kind":"shutdown","cursor":N}</c>: the last frame before the server closes the connection to stop.</summary>
    public static byte[] ShutdownFrame(Cursor cursor) => Encoding.ASCII.GetBytes("{\"kind\":\"shutdown\",\"cursor\":" + cursor + "}");

    /// <summary>Commands, one per frame, until the client closes, goes silent, or sends a line that is too long.</summary>
    private async Task ReceiveAsync(PipeReader input, LineWriter writer, string user, byte terminator, CancellationTokenSource idle, CancellationToken ct)
    {
        while (true)
        {
            var f = await LineFraming.ReadAsync(input, terminator, _maxLine, ct);
            if (f.Status == FrameStatus.Closed) return;
            idle.CancelAfter(_idle);
            if (f.Status == FrameStatus.TooLong)
            {
                await writer.SendAsync(ClientCommands.Error(null, ChatErrors.From(ChatError.TooLarge($"A frame is limited to {_maxLine} bytes; closing."))), ct);
                return;
            }
            if (f.Bytes.Length == 0) continue; // a bare terminator is a keep-alive
            await writer.SendAsync(await commands.ExecuteAsync(user, null, f.Bytes, ct), ct);
        }
    }

    private async Task<(AuthenticatedToken? Token, Cursor Cursor, string? Refusal)> AuthenticateAsync(string line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is < 2 or > 3 || parts[0] != "AUTH") return (null, default, "expected 'AUTH <token> [since]'");
        try
        {
            var user = await accounts.AuthenticateAsync(parts[1]);
            var cursor = await feed.ParseCursorAsync(parts.Length == 3 ? parts[2] : null, CancellationToken.None);
            return (user, cursor, null);
        }
        catch (ChatException e)
        {
            return (null, default, e.Error.Code + ": " + e.Error.Detail);
        }
        catch (StoreUnavailableException e)
        {
            return (null, default, "unavailable: " + e.Message);
        }
    }

    private static async Task RefuseAsync(PipeWriter output, string reason, byte terminator)
    {
        LineFraming.Write(output, Encoding.UTF8.GetBytes("ERR " + reason.Replace('\n', ' ').Replace('\0', ' ')), terminator);
        await output.FlushAsync();
    }

    private sealed class LineWriter(PipeWriter output, byte terminator, TimeSpan writeTimeout, TimeProvider time) : FrameWriter(writeTimeout, time)
    {
        protected override ValueTask WriteFrameAsync(ReadOnlyMemory<byte> frame, CancellationToken ct)
        {
            LineFraming.Write(output, frame.Span, terminator);
            return ValueTask.CompletedTask;
        }

        protected override async ValueTask FlushAsync(CancellationToken ct)
        {
            var result = await output.FlushAsync(ct);
            if (result.IsCanceled) throw new OperationCanceledException(ct);
            if (result.IsCompleted) throw new IOException("The client is gone.");
        }
    }

    [LoggerMessage(50, LogLevel.Debug, "TCP client {Remote} refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, EndPoint? remote, string reason);

    // 51, WriteTimeout: moved to OperatorLog (RefusalKind.SlowReader), summarised under a flood.
}
