using System.Collections.Concurrent;

namespace CometChat.Core;

/// <summary>
/// The waiting customers' view of the queue (API.md §7). After every commit that may have changed the queue,
/// each queued customer whose position or estimated wait changed gets an ephemeral <c>queue</c> event, and
/// every agent a <c>desk</c> event so consoles refresh the queue. Positions come from the store, so every
/// node agrees on them; the estimate is the median wait of the latest assigned sessions.
/// </summary>
internal sealed partial class DeskQueue(IDeskStore store, IWakeUpBus bus, SupportDesk desk, MessageWriter writer, ILogger<DeskQueue> log) : IHostedService
{
    private const int WaitSamples = 20;
    // What each queued session was last told on this node, so only changes are sent.
    private readonly ConcurrentDictionary<long, (int Position, long? Estimate)> _told = new();
    private int _running, _again;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        writer.Committed += OnCommitted;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        writer.Committed -= OnCommitted;
        return Task.CompletedTask;
    }

    /// <summary>Seconds: the median wait (opened to first assigned) of the latest assigned sessions; null before any.</summary>
    public async Task<long?> EstimateAsync(CancellationToken ct)
    {
        var waits = await store.RecentWaitsAsync(WaitSamples, ct);
        if (waits.Count == 0) return null;
        var sorted = waits.Order().ToArray();
        var median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        return (median + 999) / 1000;
    }

    private void OnCommitted()
    {
        if (!desk.TakeQueueChanged()) return;
        Volatile.Write(ref _again, 1);
        if (Interlocked.CompareExchange(ref _running, 1, 0) == 0) _ = Task.Run(RunAsync);
    }

    // One publication at a time; a change during one asks for another after it.
    private async Task RunAsync()
    {
        try
        {
            while (Interlocked.Exchange(ref _again, 0) == 1) await PublishAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is StoreUnavailableException or InvalidOperationException)
        {
            if (!writer.Incidents.Covers(e)) LogPublishFailed(log, e);
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
        if (Volatile.Read(ref _again) == 1 && Interlocked.CompareExchange(ref _running, 1, 0) == 0) _ = Task.Run(RunAsync);
    }

    /// <summary>Tells every queued customer whose place or estimate changed, and every agent the queue's length.</summary>
    public async Task PublishAsync(CancellationToken ct)
    {
        var queue = await store.QueueAsync(ct);
        var estimate = await EstimateAsync(ct);
        var waiting = new HashSet<long>();
        for (var i = 0; i < queue.Count; i++)
        {
            var s = queue[i];
            waiting.Add(s.Sid);
            var now = (i + 1, estimate);
            if (_told.TryGetValue(s.Sid, out var before) && before == now) continue;
            _told[s.Sid] = now;
            bus.PublishEvent(s.Customer, ChatEvent.Queue(s.Sid, i + 1, estimate));
        }
        foreach (var sid in _told.Keys) if (!waiting.Contains(sid)) _told.TryRemove(sid, out _);
        var deskEvent = ChatEvent.Desk(queue.Count);
        foreach (var agent in desk.Agents) bus.PublishEvent(agent, deskEvent);
    }

    [LoggerMessage(41, LogLevel.Warning, "Publishing support queue events failed; the next queue change retries")]
    private static partial void LogPublishFailed(ILogger logger, Exception e);
}
