using Microsoft.Extensions.Options;

namespace CometChat.Core;

/// <summary>
/// Delivers the desk's outbox (webhooks and emails) at least once: items in id order, and per (channel,
/// target, session) strictly one after another, so a receiver sees a session's events in order. A failed
/// attempt is retried with exponential backoff (1 s, 2 s, 4 s ... capped at an hour) until
/// Chat:WebhookRetryHours after the item was written, then given up. Runs after every commit that wrote an
/// item, when the next retry is due, and every heartbeat (other nodes' items, a lease taken over). Items live
/// in the store, so a restart or kill loses none: they go out when the node is back.
/// </summary>
internal sealed partial class OutboxDispatcher : BackgroundService
{
    private const int Batch = 200;
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromHours(1);
    private readonly IDeskStore _store;
    private readonly MessageWriter _writer;
    private readonly Dictionary<string, IOutboxChannel> _channels;
    private readonly IOutboxLease _lease;
    private readonly DeskEvents _events;
    private readonly TimeProvider _time;
    private readonly ILogger<OutboxDispatcher> _log;
    private readonly long _retryMs;
    private readonly TimeSpan _heartbeat;
    private readonly SemaphoreSlim _pass = new(1, 1);
    private TaskCompletionSource _poke = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _purgedAt;

    public OutboxDispatcher(IDeskStore store, MessageWriter writer, IEnumerable<IOutboxChannel> channels, IOutboxLease lease, DeskEvents events,
        IOptions<ChatOptions> options, TimeProvider time, ILogger<OutboxDispatcher> log)
    {
        _store = store;
        _writer = writer;
        _channels = channels.ToDictionary(c => c.Channel, StringComparer.Ordinal);
        _lease = lease;
        _events = events;
        _time = time;
        _log = log;
        _retryMs = options.Value.WebhookRetryHours * 3_600_000L;
        _heartbeat = TimeSpan.FromSeconds(options.Value.HeartbeatSeconds);
        writer.Committed += OnCommitted;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            // Captured before the pass: an item committed during it still wakes the next wait.
            var poked = Volatile.Read(ref _poke).Task;
            long? nextDue = null;
            try
            {
                nextDue = await DispatchDueAsync(stoppingToken);
            }
            catch (Exception e) when (e is StoreUnavailableException or ChatException)
            {
                if (!_writer.Incidents.Covers(e)) LogPassFailed(_log, e);
            }
            var wait = _heartbeat;
            if (nextDue is { } due) wait = TimeSpan.FromMilliseconds(Math.Clamp(due - Now(), 0, (long)_heartbeat.TotalMilliseconds));
            try
            {
                await Task.WhenAny(poked, Task.Delay(wait, _time, stoppingToken));
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        }
    }

    /// <summary>
    /// One pass: delivers every due item this node may deliver, in order. Answers when the next item falls
    /// due (epoch ms), or null when nothing waits. Tests call it after moving the fake clock.
    /// </summary>
    public async Task<long?> DispatchDueAsync(CancellationToken ct)
    {
        await _pass.WaitAsync(ct);
        try
        {
            if (!await _lease.HoldAsync(ct)) return null;
            await PurgeAsync();
            long? nextDue = null;
            while (true)
            {
                var items = await _store.PendingOutboxAsync(Batch, ct);
                var blocked = new HashSet<(string, string?, long)>();
                var finished = 0;
                foreach (var item in items)
                {
                    var key = (item.Channel, item.Target, item.Sid);
                    if (blocked.Contains(key)) continue;
                    if (item.DueAt > Now())
                    {
                        blocked.Add(key);
                        nextDue = Min(nextDue, item.DueAt);
                        continue;
                    }
                    var result = await AttemptAsync(item, ct);
                    var now = Now();
                    var attempts = item.Attempts + 1;
                    if (!result.Done && now - item.CreatedAt >= _retryMs) result = new OutboxResult(true, "gave up: " + result.Error, result.Error);
                    if (result.Done)
                    {
                        finished++;
                        await RecordAsync(item.Id, attempts, item.DueAt, now, result.Outcome, result.Error);
                        continue;
                    }
                    var retryAt = now + (long)Backoff(attempts).TotalMilliseconds;
                    LogAttemptFailed(_log, item.Type, item.Channel, item.Target ?? "(contact)", attempts, result.Error);
                    await RecordAsync(item.Id, attempts, retryAt, null, null, result.Error);
                    blocked.Add(key);
                    nextDue = Min(nextDue, retryAt);
                }
                // A full batch that made progress may have more behind it.
                if (items.Count < Batch || finished == 0) return nextDue;
            }
        }
        finally
        {
            _pass.Release();
        }
    }

    /// <summary>Once an hour, forgets what was done longer than the retry window ago (kept that long to look into).</summary>
    private async Task PurgeAsync()
    {
        var now = Now();
        if (now - _purgedAt < 3_600_000) return;
        _purgedAt = now;
        await _writer.RunAsync(tx =>
        {
            tx.Desk.PurgeOutbox(now - _retryMs);
            return true;
        });
    }

    public static TimeSpan Backoff(long attempts) =>
        TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, Math.Pow(2, Math.Min(attempts - 1, 30))));

    private async Task<OutboxResult> AttemptAsync(OutboxItem item, CancellationToken ct)
    {
        if (!_channels.TryGetValue(item.Channel, out var channel)) return OutboxResult.Skipped($"no '{item.Channel}' channel on this server");
        try
        {
            return await channel.SendAsync(item, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return OutboxResult.Failed(e.Message);
        }
    }

    private Task RecordAsync(long id, long attempts, long dueAt, long? doneAt, string? outcome, string? error) =>
        _writer.RunAsync(tx =>
        {
            tx.Desk.UpdateOutbox(id, attempts, dueAt, doneAt, outcome, error is { Length: > 500 } ? error[..500] : error);
            return true;
        });

    private void OnCommitted()
    {
        if (_events.TakePending()) Interlocked.Exchange(ref _poke, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    private static long Min(long? a, long b) => a is { } x && x < b ? x : b;

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    public override void Dispose()
    {
        _writer.Committed -= OnCommitted;
        _pass.Dispose();
        base.Dispose();
    }

    [LoggerMessage(42, LogLevel.Information, "Delivering {Type} by {Channel} to {Target} failed (attempt {Attempts}): {Error}; retrying later")]
    private static partial void LogAttemptFailed(ILogger logger, string type, string channel, string target, long attempts, string? error);

    [LoggerMessage(43, LogLevel.Warning, "An outbox pass failed; the next one retries")]
    private static partial void LogPassFailed(ILogger logger, Exception e);
}
