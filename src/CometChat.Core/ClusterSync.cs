namespace CometChat.Core;

/// <summary>
/// On a shared store (several nodes), every Chat:HeartbeatSeconds: re-reads the head from the store and,
/// when other nodes committed messages whose wake-ups never arrived here (backplane down, or a message lost
/// while it reconnected), moves the head and wakes every local reader to look. Also re-reports this node's
/// online users. A commit that woke nobody here (see <see cref="FeedHead.Announced"/>) counts as missed at
/// once while the backplane is down or absent; while it is up, only when it was already in the store one
/// sweep ago (its wake-up had a whole heartbeat to arrive).
/// </summary>
internal sealed partial class ClusterSync(FeedHead head, IMessageStore store, IWakeUpBus bus, FeedWaiters waiters, ClusterFeed cluster, Presence presence,
    Microsoft.Extensions.Options.IOptions<ChatOptions> options, TimeProvider time, ILogger<ClusterSync> log) : BackgroundService
{
    private long _seenInStore;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.HeartbeatSeconds), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) await SweepAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }

    /// <summary>One sweep; true when it found missed commits and woke the local readers.</summary>
    public async Task<bool> SweepAsync(CancellationToken ct)
    {
        presence.Sweep();
        await bus.MaintainAsync(ct);
        long stored;
        try { stored = await store.ReadHeadAsync(ct); }
        catch (StoreUnavailableException e)
        {
            LogStoreDown(log, e);
            return false;
        }
        var announced = head.Announced;
        var missed = stored > announced && (bus.State != BusState.Up || _seenInStore > announced);
        _seenInStore = stored;
        if (!missed) return false;
        head.Announce(stored);
        LogCaughtUp(log, announced, stored);
        cluster.CatchUp(stored);
        waiters.WakeAll();
        return true;
    }

    [LoggerMessage(1, LogLevel.Information, "Caught up from the store: head {Known} -> {Stored} (wake-ups from other nodes were missed)")]
    private static partial void LogCaughtUp(ILogger logger, long known, long stored);

    [LoggerMessage(2, LogLevel.Debug, "Head sweep could not read the store")]
    private static partial void LogStoreDown(ILogger logger, Exception e);
}
