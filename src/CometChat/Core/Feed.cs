namespace CometChat.Core;

/// <summary>
/// Defines "a user's feed after a cursor" once: their inbox rows in mid order, minus the asking tab's own
/// sends (API.md §2 <c>client</c>), whose mids the cursor still moves past.
/// </summary>
internal sealed class Feed(IMessageStore store, MessageWriter writer, RecentMessages recent, ChatStats stats)
{
    public long Head => writer.Head;

    /// <summary>Every transport reads through here, so this is where deliveries are counted.</summary>
    public async Task<FeedPage> ReadAfterAsync(string user, string? client, Cursor cursor, int limit, CancellationToken ct)
    {
        var page = await ReadAsync(user, client, cursor, limit, ct);
        stats.Delivered(page.Messages.Count);
        return page;
    }

    private async Task<FeedPage> ReadAsync(string user, string? client, Cursor cursor, int limit, CancellationToken ct)
    {
        // Read the head first: every mid at or below it is committed and visible, so when the feed has
        // nothing up to it the cursor may move to it (and the next read can skip the store entirely).
        var head = Head;
        if (cursor.Mid >= head) return FeedPage.Empty(cursor);
        if (recent.TryRead(user, client, cursor, limit) is { } cached) return cached;

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
