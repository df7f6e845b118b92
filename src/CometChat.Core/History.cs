namespace CometChat.Core;

/// <summary>One page of a conversation's history: ascending, with the <c>before</c> that fetches the next older page.</summary>
/// <c>Receipts</c>: the state its recipients acknowledged for each of the caller's own messages that has one (<c>delivered</c> or <c>read</c>).
internal sealed record HistoryPage(IReadOnlyList<Message> Messages, bool More, IReadOnlyDictionary<long, string>? Receipts = null)
{
    public long? Before => Messages.Count > 0 ? Messages[0].Mid : null;
}

/// <summary>
/// Older messages of one conversation, newest page first: a direct pair (<c>with</c> = a user), a room
/// (<c>#room</c>, current members only), or a support thread (<c>@support</c>: the caller's own as a
/// customer, all sessions; with <c>sid</c> that one session only, for its customer or its assigned agent). Receipts are
/// feed-only and typing is never stored, so neither appears here; instead a page says how far each of the
/// caller's own messages in it was acknowledged, so a client that starts from history shows the real ✓✓.
/// </summary>
internal sealed class History(IMessageStore store, IUserStore users, SupportDesk desk)
{
    public async Task<HistoryPage> ReadAsync(string user, string? with, long? sid, long? before, int limit, CancellationToken ct)
    {
        var conversation = await KeyAsync(user, with, sid, ct);
        // A support read names its session and gets that session's messages only: the customer's thread also
        // holds their other sessions, which may belong to other agents.
        var rows = sid is { } session && with == SupportDesk.Address
            ? await store.ReadSessionAsync(session, before ?? long.MaxValue, limit + 1, ct)
            : await store.ReadConversationAsync(conversation, before ?? long.MaxValue, limit + 1, ct);
        var more = rows.Count > limit;
        var page = new List<Message>(Math.Min(rows.Count, limit));
        for (var i = Math.Min(rows.Count, limit) - 1; i >= 0; i--) page.Add(rows[i]);
        var own = page.Where(m => m.From == user && MessageKinds.IsContent(m.Kind)).Select(m => m.Mid).ToList();
        var receipts = own.Count == 0 ? null : await store.ReceiptStatesAsync(Acknowledgers(user, conversation), own, ct);
        return new HistoryPage(page, more, receipts);
    }

    /// <summary>Who acknowledges the caller's messages in <paramref name="conversation"/>: the other of a pair, a customer's agents, an agent's customer; nobody in a room.</summary>
    private IReadOnlyList<string> Acknowledgers(string user, string conversation)
    {
        if (conversation.StartsWith('#')) return [];
        if (Conversations.SupportCustomer(conversation) is { } customer) return customer == user ? desk.Agents : [customer];
        return [.. conversation.Split('\n').Where(u => u != user)];
    }

    /// <summary>
    /// The history key of the conversation <paramref name="user"/> names by <paramref name="with"/> (and <paramref name="sid"/>
    /// for an agent's support thread), or a 400/403/404 naming the parameter: what the caller may read, for history,
    /// read markers and search alike.
    /// </summary>
    public async Task<string> KeyAsync(string user, string? with, long? sid, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(with)) throw new ChatException(ChatError.BadRequest("'with' is required: a user name, #room or @support."));
        if (with.StartsWith('#'))
        {
            var room = Names.Room(with, "with");
            if (!await users.RoomExistsAsync(room, ct)) throw new ChatException(ChatError.NotFound($"'with': no room is named '#{room}'."));
            if (!await users.IsMemberAsync(room, user, ct)) throw new ChatException(ChatError.Forbidden($"'with': room history is for members only; join #{room} first."));
            return Conversations.Room(room);
        }
        if (with.StartsWith('@'))
        {
            if (with != SupportDesk.Address) throw new ChatException(ChatError.NotFound($"'with': there is no '{with}'; the support desk is '@support'."));
            if (sid is null)
            {
                if (desk.IsAgent(user)) throw new ChatException(ChatError.BadRequest("'sid' is required: agents read a customer's support thread by session."));
                return Conversations.Support(user);
            }
            var session = await users.GetSessionAsync(sid.Value, ct) ?? throw SupportDesk.NoSuchSession(sid.Value);
            if (session.Customer != user && session.Agent != user)
                throw new ChatException(ChatError.Forbidden($"'sid': session {sid} is neither yours nor assigned to you."));
            return Conversations.Support(session.Customer);
        }
        var other = Names.User(with, "with");
        if (other != user && await users.GetUserAsync(other, ct) is null) throw new ChatException(ChatError.NotFound($"'with': no user is named '{other}'."));
        return Conversations.Direct(user, other);
    }
}
