using CometChat.Core;

namespace CometChat.Transports;

/// <summary>Where a push transport writes: an HTTP stream format, a WebSocket or a TCP connection.</summary>
internal interface IFeedSink
{
    /// <summary>The first bytes, flushed at once (headers, padding, a first heartbeat).</summary>
    Task StartAsync(Cursor cursor, CancellationToken ct);

    /// <summary>One batch of messages and/or typing events, flushed as one write.</summary>
    Task DeliverAsync(FeedPage page, CancellationToken ct);

    Task HeartbeatAsync(Cursor cursor, CancellationToken ct);
}

/// <summary>
/// The loop every push transport shares: <see cref="FeedSubscription.NextAsync"/> into a sink, with a
/// heartbeat after every <c>heartbeat</c> of silence. Runs until <c>ct</c> ends it (the caller's linked
/// token names why) or the sink throws.
/// </summary>
internal static class FeedPump
{
    public static async Task RunAsync(FeedSubscription sub, IFeedSink sink, TimeSpan heartbeat, TimeProvider time, CancellationToken ct)
    {
        // Armed before the first write and re-armed before each later one: the interval counts from the last
        // write, and a test that advances the fake clock right after reading a write finds the timer in place.
        var beat = new CancellationTokenSource(heartbeat, time);
        try
        {
            await sink.StartAsync(sub.Cursor, ct);
            while (true)
            {
                FeedPage? page;
                using (var wait = CancellationTokenSource.CreateLinkedTokenSource(ct, beat.Token))
                {
                    try
                    {
                        page = await sub.NextAsync(wait.Token);
                    }
                    catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                    {
                        page = null; // the heartbeat fired: nothing happened for a whole interval
                    }
                }
                beat.Dispose();
                beat = new CancellationTokenSource(heartbeat, time);
                if (page is null)
                {
                    await sink.HeartbeatAsync(sub.Cursor, ct);
                    continue;
                }
                await sink.DeliverAsync(page, ct); // deliveries are counted where every transport reads: Feed
            }
        }
        finally
        {
            beat.Dispose();
        }
    }

    /// <summary>
    /// Runs one write under <paramref name="timeout"/>; a reader that accepts nothing that long gets a
    /// <see cref="WriteTimeoutException"/> (and the caller cuts it). The store keeps its messages, so it resumes
    /// from its cursor losing nothing. A cancelled write must throw (pipe flushes report IsCanceled instead:
    /// the writers turn that into an OperationCanceledException).
    /// </summary>
    public static async Task WithWriteTimeoutAsync(TimeSpan timeout, TimeProvider time, Func<CancellationToken, ValueTask> write, CancellationToken ct)
    {
        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        try
        {
            await write(linked.Token);
        }
        // The deadline decides, even when ct is cancelled too: cancelling a stuck write aborts the connection, which
        // cancels the request (and so ct) before this filter runs, and that reader was still a slow one.
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new WriteTimeoutException(timeout);
        }
    }
}

/// <summary>A reader accepted nothing for a whole write timeout; its connection is cut.</summary>
internal sealed class WriteTimeoutException(TimeSpan timeout) : Exception($"The reader accepted nothing for {timeout.TotalSeconds}s.");
