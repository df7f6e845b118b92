using CometChat.Core;

namespace CometChat.Transports;

/// <summary>
/// The one writer of a WebSocket or TCP connection: the feed and the command replies both send through
/// it, one batch at a time, so their frames never interleave. Every send, including the wait for its
/// turn, runs under the write timeout.
/// </summary>
internal abstract class FrameWriter(TimeSpan writeTimeout, TimeProvider time) : IFeedSink, IDisposable
{
    private readonly SemaphoreSlim _turn = new(1, 1);

    protected abstract ValueTask WriteFrameAsync(ReadOnlyMemory<byte> frame, CancellationToken ct);

    protected abstract ValueTask FlushAsync(CancellationToken ct);

    public Task SendAsync(ReadOnlyMemory<byte> frame, CancellationToken ct) => SendAsync([frame], ct);

    public Task SendAsync(IReadOnlyList<ReadOnlyMemory<byte>> frames, CancellationToken ct) => InTurnAsync(async token =>
    {
        foreach (var frame in frames) await WriteFrameAsync(frame, token);
        await FlushAsync(token);
    }, ct);

    /// <summary>Runs <paramref name="write"/> alone on the connection, under the write timeout.</summary>
    public Task InTurnAsync(Func<CancellationToken, ValueTask> write, CancellationToken ct) =>
        FeedPump.WithWriteTimeoutAsync(writeTimeout, time, async token =>
        {
            await _turn.WaitAsync(token);
            try
            {
                await write(token);
            }
            finally
            {
                _turn.Release();
            }
        }, ct);

    public Task StartAsync(Cursor cursor, CancellationToken ct) => HeartbeatAsync(cursor, ct);

    public Task DeliverAsync(FeedPage page, CancellationToken ct)
    {
        var frames = new List<ReadOnlyMemory<byte>>(page.Messages.Count + (page.Events?.Count ?? 0));
        foreach (var m in page.Messages) frames.Add(m.Json);
        if (page.Events is { } events) foreach (var e in events) frames.Add(e.Json);
        return SendAsync(frames, ct);
    }

    public Task HeartbeatAsync(Cursor cursor, CancellationToken ct) =>
        SendAsync(System.Text.Encoding.ASCII.GetBytes("{\"kind\":\"heartbeat\",\"cursor\":" + cursor + "}"), ct);

    public void Dispose()
    {
        _turn.Dispose();
        GC.SuppressFinalize(this);
    }
}
