namespace CometChat.Core;

/// <summary>
/// THE core loop every transport adapts: a registered listener plus a cursor. <see cref="NextAsync"/>
/// returns the next non-empty page (or ephemeral events), parking until a wake-up when there is none.
/// </summary>
internal sealed class FeedSubscription : IDisposable
{
    private readonly Feed _feed;
    private readonly FeedWaiters _waiters;
    private readonly FeedListener _listener;
    private readonly int _limit;

    private readonly ChatStats _stats;

    public FeedSubscription(Feed feed, FeedWaiters waiters, string user, string? client, Cursor cursor, int limit, ListenerKind kind)
    {
        _stats = waiters.Stats;
        _feed = feed;
        _waiters = waiters;
        _limit = limit;
        Cursor = cursor;
        _listener = waiters.Add(user, client, kind);
    }

    public string User => _listener.User;
    public string? Client => _listener.Client;
    public Cursor Cursor { get; private set; }
    public FeedListener Listener => _listener;

    public async Task<FeedPage> NextAsync(CancellationToken ct)
    {
        while (true)
        {
            // Capture the signal before reading: a commit between the read and the wait must still wake us.
            var armed = _listener.Armed;
            if (_listener.Superseded) return FeedPage.Empty(Cursor) with { Superseded = true };
            // Captured before the read too: a poll that expired still reads once more, so its cursor moves past the
            // tab's own sends (which never wake it), and then answers whatever that read found.
            var expired = _listener.Expired;
            var events = _listener.DrainEvents();
            var page = await _feed.ReadAfterAsync(_listener.User, _listener.Client, Cursor, _limit, ct);
            Cursor = page.Cursor;
            var woken = _listener.TakeWakeLatency();
            if (page.Messages.Count > 0 || events is not null)
            {
                if (woken is { } latency) _stats.WakeLatencyMs.Record(latency.TotalMilliseconds);
                return events is null ? page : page with { Events = events };
            }
            if (expired) return page;
            await armed.WaitAsync(ct);
        }
    }

    public void Dispose() => _waiters.Remove(_listener);
}
