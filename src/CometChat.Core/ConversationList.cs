namespace CometChat.Core;

/// <summary>A page of the caller's conversations, most recent first; <see cref="Before"/> asks for the next.</summary>
internal sealed record ConversationPage(IReadOnlyList<ConversationEntry> Conversations, bool More)
{
    public long? Before => More ? Conversations[^1].Last?.Mid : null;
}

/// <summary>A read marker set: the conversation as the caller names it, the marker now, unread after it, and the <c>read</c> message when it moved.</summary>
internal sealed record ReadResult(string With, long ReadUpTo, int Unread, Message? Message);

/// <summary>
/// Conversations and unread counts (API.md §8), from the store, so they are the same on every device, node and after a
/// restart. The store keeps one row per user and conversation: direct and support threads are written with each of
/// their messages (the sender's marker moves to their own message: writing in a conversation means having read it),
/// rooms with the join (marker at the join) and dropped with the leave. A room message updates only its room's last
/// mid, so a room of any size costs one write per message. Unread counts are counted on read, over an index of text
/// and file messages per conversation, and stop at <see cref="MaxUnread"/>: a page costs at most its length times that,
/// however busy the rooms are. A marker set by <c>POST /api/read</c> never moves back and reaches every connection of
/// the reader as a <c>read</c> feed message.
/// </summary>
internal sealed class ConversationList(MessageWriter writer, IConversationStore store, History history, Feed feed, TimeProvider time)
{
    public const int MaxUnread = 1000, DefaultLimit = 50;

    public async Task<ConversationPage> ListAsync(string user, long? before, int limit, CancellationToken ct)
    {
        var rows = await store.ListConversationsAsync(user, before ?? long.MaxValue, limit + 1, MaxUnread, ct);
        var more = rows.Count > limit;
        return new ConversationPage(more ? [.. rows.Take(limit)] : rows, more);
    }

    public async Task<ReadResult> MarkReadAsync(string user, string? with, long? sid, long? upTo, string? client, CancellationToken ct)
    {
        var conversation = await history.KeyAsync(user, with, sid, ct);
        if (upTo is null) throw new ChatException(ChatError.BadRequest("'upTo' is required: the mid read up to."));
        MessageSender.CheckClient(client);
        var head = upTo > feed.Head ? await feed.RefreshHeadAsync(ct) : feed.Head;
        if (upTo > head) throw new ChatException(ChatError.BadRequest($"'upTo' {upTo} is ahead of the feed head {head}."));
        var name = Conversations.Peer(conversation, user)!.Value.With;
        var (readUpTo, message) = await writer.RunAsync(tx =>
        {
            var current = tx.ReadMarkers.ReadUpTo(user, conversation)
                ?? throw new ChatException(ChatError.NotFound($"'with': you have no conversation with {name} yet."));
            if (!tx.ReadMarkers.MarkRead(user, conversation, upTo.Value)) return (current, (Message?)null);
            var marker = new Message(0, Guid.NewGuid().ToString(), user, user, MessageKinds.Read, name,
                time.GetUtcNow().ToUnixTimeMilliseconds(), Ref: upTo, Sid: conversation.StartsWith('@') ? sid : null, Client: client);
            return (upTo.Value, tx.Messages.Append(marker, [user], Conversations.Markers(user)));
        });
        var entry = await store.GetConversationAsync(user, conversation, MaxUnread, ct);
        return new ReadResult(name, readUpTo, entry?.Unread ?? 0, message);
    }
}
