namespace CometChat.Core;

/// <summary>
/// Defines "a user's feed after a cursor" once: their inbox rows in mid order, minus the asking tab's own
/// sends (API.md §2 <c>client</c>), whose mids the cursor still moves past.
/// </summary>
internal sealed class Feed(IMessageStore store, FeedHead feedHead, IWakeUpBus bus, RecentMessages recent, ClusterFeed cluster, ChatStats stats)
{
    public long Head => feedHead.Value;

    /// <summary>
    /// Parses a client's cursor (normally <c>since</c>); absent means the head. A cursor past the known head
    /// may come from another node that committed it a moment ago: the head is refreshed from the store before
    /// answering 409 cursor_ahead.
    /// </summary>
    public async ValueTask<Cursor> ParseCursorAsync(string? value, CancellationToken ct, string name = "since")
    {
        try
        {
            return Cursor.Parse(value, Head, name) ?? new Cursor(Head);
        }
        catch (ChatException e) when (feedHead.Shared && e.Error.Kind == ChatErrorKind.CursorAhead)
        {
            return Cursor.Parse(value, await feedHead.RefreshAsync(ct), name)!.Value;
        }
    }

    /// <summary>Catches up with other nodes' commits now (a no-op on one node).</summary>
    public Task<long> RefreshHeadAsync(CancellationToken ct) => feedHead.RefreshAsync(ct);

    /// <summary>
    /// Every transport reads through here, so this is where deliveries are counted. <paramref name="settled"/>: the
    /// caller answers with this read and waits for no wake-up (a short poll), so on a shared store it first catches
    /// up with commits of other nodes whose wake-ups may still be on their way (a mid another node just answered).
    /// </summary>
    public async Task<FeedPage> ReadAfterAsync(string user, string? client, Cursor cursor, int limit, CancellationToken ct, bool settled = false)
    {
        var page = await ReadAsync(user, client, cursor, limit, settled, ct);
        stats.Delivered(page.Messages.Count);
        return page;
    }

    private async Task<FeedPage> ReadAsync(string user, string? client, Cursor cursor, int limit, bool settled, CancellationToken ct)
    {
        // Read the head first: every mid at or below it is committed and visible, so when the feed has
        // nothing up to it the cursor may move to it (and the next read can skip the store entirely).
        // With other nodes writing, the head known here may be stale when no live backplane announces their
        // commits, or when this read cannot wait for the announcement: one indexed max(mid) read keeps the
        // fast paths below (nothing new; the cache) from hiding their messages.
        var head = feedHead.Shared && (settled || bus.State != BusState.Up) ? await feedHead.RefreshAsync(ct) : Head;
        if (cursor.Mid >= head) return FeedPage.Empty(cursor);
        // On a shared store the cache serves only while it holds every batch up to the head (no gap being filled) and
        // the backplane is up (with it down, another node's bulk erasure could not reach this cache).
        if ((!feedHead.Shared || (cluster.Covered >= head && bus.State == BusState.Up)) && recent.TryRead(user, client, cursor, limit) is { } cached) return cached;

        var rows = await store.ReadFeedAsync(user, cursor.Mid, limit + 1, ct);
        var more = rows.Count > limit;
        var count = more ? limit : rows.Count;
        if (count == 0) return FeedPage.Empty(new Cursor(head));

        List<Message>? filtered = null;
        for (var i = 0; i < count; i++)
        {
            var m = rows[i];
            var own = client is not null && m.Client == client && m.From == user;
            if (own && filtered is null) { filtered = new List<Message>(count); for (var j = 0; j < i; j++) filtered.Add(rows[j]); }
            else if (!own) filtered?.Add(m);
        }
        IReadOnlyList<Message> messages = filtered ?? (more ? rows.Take(count).ToList() : rows);
        return new FeedPage(messages, new Cursor(rows[count - 1].Mid), more);
    }
}
