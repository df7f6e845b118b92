using CometChat.Core;

namespace CometChat.Storage;

/// <summary>
/// The reads of <see cref="IMessageStore"/> and <see cref="IUserStore"/>, written once in SQL that SQLite
/// and PostgreSQL both accept ("user" quoted, counts instead of engine-typed literals). Each engine
/// supplies how a query reaches its database and how its failures become a 503.
/// </summary>
internal abstract partial class SqlReadStore
{
    // Column order matches Message's constructor, which Dapper binds by position and type.
    public const string MessageColumns =
        "m.mid AS Mid, m.id AS Id, m.sender AS \"From\", m.recipient AS \"To\", m.kind AS Kind, m.body AS Body, " +
        "m.sent_at AS SentAt, m.ref AS Ref, m.sid AS Sid, m.client AS Client, m.recalled_at AS RecalledAt, m.edited_at AS EditedAt, m.file AS File, " +
        "m.erased_at AS ErasedAt";

    // Column order matches UserRecord's constructor.
    public const string UserColumns = "name AS Name, password_hash AS PasswordHash, created_at AS CreatedAt, tokens_after AS TokensAfter";

    public const string SessionColumns = "sid AS Sid, customer AS Customer, agent AS Agent, opened_at AS OpenedAt, closed_at AS ClosedAt";

    /// <summary>Runs one read on a pooled connection, synchronously (start-up only).</summary>
    protected abstract IReadOnlyList<T> Query<T>(string sql, object? args);

    /// <summary>Runs one read on a pooled connection; engine failures surface as <see cref="StoreUnavailableException"/>.</summary>
    protected abstract Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? args, CancellationToken ct);

    public async Task<long> ReadHeadAsync(CancellationToken ct) =>
        (await QueryAsync<long?>("SELECT max(mid) FROM messages", null, ct))[0] ?? 0;

    // The feed in one window of mids (after, upTo]: the inbox rows, and each room's timeline inside the user's
    // intervals (from_mid <= mid <= to_mid), each an index range (inbox key; messages_conversation).
    private const string FeedWindow =
        $"SELECT {MessageColumns} FROM (" +
        "SELECT i.mid FROM inbox i WHERE i.\"user\" = @user AND i.mid > @after AND i.mid <= @upTo " +
        "UNION ALL " +
        "SELECT t.mid FROM memberships ms JOIN messages t ON t.conversation = '#' || ms.room " +
        "AND t.mid > CASE WHEN ms.from_mid > @after THEN ms.from_mid - 1 ELSE @after END " +
        "AND t.mid <= CASE WHEN ms.to_mid < @upTo THEN ms.to_mid ELSE @upTo END " +
        "WHERE ms.\"user\" = @user AND ms.from_mid <= @upTo AND (ms.to_mid IS NULL OR ms.to_mid > @after)" +
        ") f JOIN messages m ON m.mid = f.mid ORDER BY m.mid LIMIT @limit";

    /// <summary>
    /// Reads in growing windows of mids, so a reader whose rooms are busy sorts about a page of rows, and one whose
    /// messages are rare among everyone's still finds them in a few index ranges per window (16 times wider each).
    /// </summary>
    public async Task<IReadOnlyList<Message>> ReadFeedAsync(string user, long after, int limit, CancellationToken ct)
    {
        long? head = null;
        for (var width = Math.Max(1024L, limit * 8L); ; width *= 16)
        {
            var upTo = after > long.MaxValue - width ? long.MaxValue : after + width;
            var rows = await QueryAsync<Message>(FeedWindow, new { user, after, upTo, limit }, ct);
            if (rows.Count >= limit || upTo == long.MaxValue) return rows;
            head ??= await ReadHeadAsync(ct);
            if (upTo >= head) return rows;
        }
    }

    public IReadOnlyList<Membership> OpenMemberships(long at) =>
        Query<Membership>(
            "SELECT room AS Room, \"user\" AS \"User\", from_mid AS FromMid FROM memberships " +
            "WHERE to_mid IS NULL OR to_mid > @at", new { at });

    public async Task<IReadOnlyList<Appended>> ReadCommittedAsync(long after, long upTo, int limit, CancellationToken ct)
    {
        var messages = await QueryAsync<Message>(
            $"SELECT {MessageColumns} FROM messages m WHERE m.mid > @after AND m.mid <= @upTo ORDER BY m.mid LIMIT @limit",
            new { after, upTo, limit }, ct);
        if (messages.Count == 0) return [];
        var rows = await QueryAsync<InboxRow>(
            "SELECT \"user\" AS \"User\", mid AS Mid FROM inbox WHERE mid > @after AND mid <= @last",
            new { after, last = messages[^1].Mid }, ct);
        var recipients = new Dictionary<long, List<string>>();
        foreach (var r in rows)
        {
            if (!recipients.TryGetValue(r.Mid, out var list)) recipients[r.Mid] = list = new List<string>(2);
            list.Add(r.User);
        }
        // A room message has no inbox rows: it is stored once, on its room's timeline.
        return [.. messages.Select(m => new Appended(m,
            recipients.TryGetValue(m.Mid, out var users) ? users : m.To.StartsWith('#') ? null : []))];
    }

    private sealed record InboxRow(string User, long Mid);

    public Task<IReadOnlyList<Message>> ReadConversationAsync(string conversation, long before, int limit, CancellationToken ct) =>
        QueryAsync<Message>(
            $"SELECT {MessageColumns} FROM messages m WHERE m.conversation = @conversation AND m.mid < @before " +
            $"AND {HistoryKinds} ORDER BY m.mid DESC LIMIT @limit",
            new { conversation, before, limit }, ct);

    public async Task<IReadOnlyDictionary<long, string>> ReceiptStatesAsync(IReadOnlyList<string> senders, IReadOnlyList<long> mids, CancellationToken ct)
    {
        var states = new Dictionary<long, string>();
        if (mids.Count == 0) return states;
        // Receipt ids are made of numbers from the store, so they are written inline (see SummariesAsync); each
        // (sender, id) pair is one probe of the unique index messages_sender_id.
        var ids = string.Join(',', mids.SelectMany(mid => Receipts.States.Select(state => $"'receipt:{mid}:{state}'")));
        foreach (var sender in senders)
            foreach (var id in await QueryAsync<string>($"SELECT m.id FROM messages m WHERE m.sender = @sender AND m.id IN ({ids})", new { sender }, ct))
            {
                var parts = id.Split(':');
                var mid = long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
                if (parts[2] == "read" || !states.ContainsKey(mid)) states[mid] = parts[2];
            }
        return states;
    }

    public Task<IReadOnlyList<Message>> ReadSessionAsync(long sid, long before, int limit, CancellationToken ct) =>
        QueryAsync<Message>(
            $"SELECT {MessageColumns} FROM messages m WHERE m.sid = @sid AND m.mid < @before " +
            $"AND {HistoryKinds} ORDER BY m.mid DESC LIMIT @limit",
            new { sid, before, limit }, ct);

    public async Task<Message?> GetAsync(long mid, CancellationToken ct) =>
        (await QueryAsync<Message>($"SELECT {MessageColumns} FROM messages m WHERE m.mid = @mid", new { mid }, ct)).FirstOrNull();

    public async Task<UserRecord?> GetUserAsync(string name, CancellationToken ct) =>
        (await QueryAsync<UserRecord>(
            $"SELECT {SqlReadStore.UserColumns} FROM users WHERE name = @name",
            new { name }, ct)).FirstOrNull();

    public async Task<IReadOnlyList<RoomInfo>> ListRoomsAsync(string? after, int limit, string? member, CancellationToken ct)
    {
        // Untyped rows: with no rows SQLite reports the count column as a blob, which Dapper cannot bind to RoomInfo.
        var rows = await QueryAsync<dynamic>(
            // Quoted aliases: PostgreSQL folds unquoted ones to lower case, and these rows are read by name.
            "SELECT r.name AS \"Name\", (SELECT count(*) FROM memberships WHERE room = r.name AND to_mid IS NULL) AS \"Members\" FROM rooms r " +
            (member is null ? "" : "JOIN memberships mine ON mine.room = r.name AND mine.\"user\" = @member AND mine.to_mid IS NULL ") +
            "WHERE r.name > @after ORDER BY r.name LIMIT @limit",
            new { after = after ?? "", limit, member }, ct);
        return [.. rows.Select(r => new RoomInfo((string)r.Name, (long)r.Members))];
    }

    public Task<IReadOnlyList<string>> RoomMembersAsync(string room, CancellationToken ct) =>
        QueryAsync<string>("SELECT \"user\" FROM memberships WHERE room = @room AND to_mid IS NULL ORDER BY \"user\"", new { room }, ct);

    public async Task<bool> RoomExistsAsync(string room, CancellationToken ct) =>
        (await QueryAsync<long>("SELECT count(*) FROM rooms WHERE name = @room", new { room }, ct))[0] > 0;

    public async Task<bool> IsMemberAsync(string room, string user, CancellationToken ct) =>
        (await QueryAsync<long>("SELECT count(*) FROM memberships WHERE room = @room AND \"user\" = @user AND to_mid IS NULL", new { room, user }, ct))[0] > 0;

    public async Task<TokenState> GetTokenStateAsync(string user, string tokenHash, CancellationToken ct) =>
        (await QueryAsync<TokenState>(
            "SELECT (SELECT tokens_after FROM users WHERE name = @user) AS TokensAfter, (SELECT deleted_at FROM users WHERE name = @user) AS DeletedAt, " +
            "(SELECT count(*) FROM revoked_tokens WHERE token_hash = @tokenHash) AS Revocations",
            new { user, tokenHash }, ct))[0];

    public async Task<SupportSession?> GetSessionAsync(long sid, CancellationToken ct) =>
        (await QueryAsync<SupportSession>($"SELECT {SessionColumns} FROM support_sessions WHERE sid = @sid", new { sid }, ct)).FirstOrNull();
}

/// <summary>The reads of <see cref="IConversationStore"/> (API.md §8), in SQL both engines accept, except each engine's search match.</summary>
internal abstract partial class SqlReadStore
{
    /// <summary>
    /// The engine's full-text match, selecting messages <c>m</c> whose tokens hold <c>@q</c> as a phrase, below <c>@before</c>,
    /// and its order (newest first): SQLite's FTS5 streams its matches in rowid order, so a page stops early.
    /// </summary>
    protected abstract string SearchMatch { get; }

    protected abstract string SearchOrder { get; }

    /// <summary><paramref name="query"/>'s tokens as the engine's phrase query text.</summary>
    protected abstract string SearchText(SearchQuery query);

    // Receipts, read markers, recalls and edits are applied to what history shows, never listed in it.
    private static readonly string HistoryKinds = $"m.kind NOT IN ({string.Join(", ", MessageKinds.FeedOnly.Select(k => $"'{k}'"))})";
    private const string ContentOnly = "m.kind IN ('text', 'file') AND m.recalled_at IS NULL";

    // Who may read m: an inbox row, or a room message inside one of the user's membership intervals.
    private const string Readable =
        "(EXISTS (SELECT 1 FROM inbox i WHERE i.\"user\" = @user AND i.mid = m.mid) OR (substr(m.recipient, 1, 1) = '#' AND EXISTS (" +
        "SELECT 1 FROM memberships ms WHERE ms.room = substr(m.recipient, 2) AND ms.\"user\" = @user AND ms.from_mid <= m.mid " +
        "AND (ms.to_mid IS NULL OR ms.to_mid >= m.mid))))";

    // A room's newest message is its row's (one write per room message); a thread's is the user's row.
    private const string ConversationRows =
        "SELECT c.conversation AS Conversation, CASE WHEN substr(c.conversation, 1, 1) = '#' " +
        "THEN (SELECT r.last_mid FROM rooms r WHERE r.name = substr(c.conversation, 2)) ELSE c.last_mid END AS LastMid, " +
        "c.read_up_to AS ReadUpTo FROM conversation_reads c WHERE c.\"user\" = @user";

    private sealed class ConversationRow
    {
        public string Conversation { get; set; } = "";
        public long LastMid { get; set; }
        public long ReadUpTo { get; set; }
    }

    private sealed class CountRow
    {
        public long I { get; set; }
        public long N { get; set; }
    }

    public async Task<IReadOnlyList<ConversationEntry>> ListConversationsAsync(string user, long before, int limit, int maxUnread, CancellationToken ct)
    {
        var rows = await QueryAsync<ConversationRow>(
            $"SELECT * FROM ({ConversationRows}) x WHERE x.LastMid < @before ORDER BY x.LastMid DESC LIMIT @limit", new { user, before, limit }, ct);
        return await EntriesAsync(user, rows, maxUnread, ct);
    }

    public async Task<ConversationEntry?> GetConversationAsync(string user, string conversation, int maxUnread, CancellationToken ct)
    {
        var rows = await QueryAsync<ConversationRow>($"{ConversationRows} AND c.conversation = @conversation", new { user, conversation }, ct);
        return (await EntriesAsync(user, rows, maxUnread, ct)).FirstOrNull();
    }

    /// <summary>Each row's last message (one read by mid) and unread count (one read: a bounded count per conversation).</summary>
    private async Task<IReadOnlyList<ConversationEntry>> EntriesAsync(string user, IReadOnlyList<ConversationRow> rows, int maxUnread, CancellationToken ct)
    {
        if (rows.Count == 0) return [];
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        // Mids are numbers the store produced: inlined, as each engine spells list parameters its own way.
        var last = (await QueryAsync<Message>(
            $"SELECT {MessageColumns} FROM messages m WHERE m.mid IN ({string.Join(", ", rows.Select(r => r.LastMid.ToString(inv)))})", null, ct))
            .ToDictionary(m => m.Mid);
        var args = new Dapper.DynamicParameters(new { user, max = maxUnread });
        var counts = new List<string>(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            args.Add("c" + i, rows[i].Conversation);
            args.Add("r" + i, rows[i].ReadUpTo);
            // A support thread holds messages of other sessions (other agents): only the user's own inbox rows count.
            var own = rows[i].Conversation.StartsWith('@') ? " AND EXISTS (SELECT 1 FROM inbox i WHERE i.\"user\" = @user AND i.mid = m.mid)" : "";
            counts.Add($"SELECT {i} AS I, count(*) AS N FROM (SELECT 1 AS x FROM messages m WHERE m.conversation = @c{i} AND m.mid > @r{i} AND {ContentOnly}{own} LIMIT @max) u{i}");
        }
        var unread = (await QueryAsync<CountRow>(string.Join(" UNION ALL ", counts), args, ct)).ToDictionary(c => c.I, c => (int)c.N);
        var entries = new List<ConversationEntry>(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            var (with, kind) = Conversations.Peer(r.Conversation, user) ?? (r.Conversation, ConversationKinds.User);
            entries.Add(new ConversationEntry(r.Conversation, with, kind, last.GetValueOrDefault(r.LastMid), r.ReadUpTo, unread.GetValueOrDefault(i)));
        }
        return entries;
    }

    public Task<IReadOnlyList<Message>> SearchAsync(string user, SearchQuery query, string? conversation, long before, int limit, CancellationToken ct) =>
        QueryAsync<Message>(
            $"SELECT {MessageColumns} FROM {SearchMatch} AND {ContentOnly} AND {Readable}" +
            (conversation is null ? "" : " AND m.conversation = @conversation") + $" {SearchOrder} LIMIT @limit",
            new { user, q = SearchText(query), conversation, before, limit }, ct);

    public async Task<bool> MayReadAsync(string user, Message m, CancellationToken ct) =>
        (await QueryAsync<long>(
            "SELECT count(*) FROM (SELECT 1 AS x FROM inbox WHERE \"user\" = @user AND mid = @mid UNION ALL SELECT 1 FROM memberships " +
            "WHERE room = @room AND \"user\" = @user AND (to_mid IS NULL OR (from_mid <= @mid AND to_mid >= @mid))) y",
            new { user, mid = m.Mid, room = m.To.StartsWith('#') ? m.To[1..] : "" }, ct))[0] > 0;

    public Task<IReadOnlyList<string>> BlocksOfAsync(string blocker, CancellationToken ct) =>
        QueryAsync<string>("SELECT blocked FROM blocks WHERE blocker = @blocker ORDER BY blocked", new { blocker }, ct);

    public async Task<bool> IsBlockedAsync(string blocker, string blocked, CancellationToken ct) =>
        (await QueryAsync<long>("SELECT count(*) FROM blocks WHERE blocker = @blocker AND blocked = @blocked", new { blocker, blocked }, ct))[0] > 0;

    public async Task<StoredFile?> GetFileAsync(string id, CancellationToken ct) =>
        (await QueryAsync<StoredFile>(
            "SELECT id AS Id, owner AS Owner, name AS Name, size AS Size, type AS Type, created_at AS CreatedAt, mid AS Mid FROM files WHERE id = @id",
            new { id }, ct)).FirstOrNull();

    public async Task<byte[]?> GetFileContentAsync(string id, CancellationToken ct) =>
        (await QueryAsync<byte[]>("SELECT content FROM files WHERE id = @id", new { id }, ct)).FirstOrNull();
}

internal static class ListExtensions
{
    public static T? FirstOrNull<T>(this IReadOnlyList<T> list) where T : class => list.Count > 0 ? list[0] : null;
}
