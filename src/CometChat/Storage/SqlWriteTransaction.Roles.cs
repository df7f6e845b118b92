using System.Data.Common;
using CometChat.Core;

namespace CometChat.Storage;

/// <summary>The writes by role: messages, users, rooms and their membership intervals, support sessions.</summary>
internal sealed partial class SqlWriteTransaction
{
    private const string MessageFields = "id, sender, recipient, kind, body, sent_at, ref, sid, client, conversation, file";
    private const string MessageValues = "@id, @sender, @recipient, @kind, @body, @sentAt, @ref, @sid, @client, @conversation, @file";
    private const string InsertMessage = $"INSERT INTO messages ({MessageFields}) VALUES ({MessageValues}) RETURNING mid";
    // With a mid reserved in the batch (ReservesMids: PostgreSQL, whose mid is an identity column).
    private const string InsertMessageAt = $"INSERT INTO messages (mid, {MessageFields}) OVERRIDING SYSTEM VALUE VALUES (@mid, {MessageValues})";

    // A participant's conversation row: the newest message, and the marker moved to their own (never back).
    private const string OnConversationConflict =
        "ON CONFLICT (\"user\", conversation) DO UPDATE SET last_mid = excluded.last_mid, " +
        "read_up_to = CASE WHEN excluded.read_up_to > conversation_reads.read_up_to THEN excluded.read_up_to ELSE conversation_reads.read_up_to END";

    // Up to four participants' rows in one statement (a direct message's two rows are one execution, W3's hot path),
    // bound in the order (u0, r0, ..., conversation, mid): the sender's marker moves to the message, everyone else's stays.
    private static readonly string[] UpsertConversations = [.. Enumerable.Range(0, 5).Select(n =>
        "INSERT INTO conversation_reads (\"user\", conversation, last_mid, read_up_to) VALUES " +
        string.Join(", ", Enumerable.Range(0, n).Select(i => $"(@u{i}, @conversation, @mid, @r{i})")) + " " + OnConversationConflict)];
    private static readonly string[] ReadUpToNames = [.. Enumerable.Range(0, 4).Select(i => "r" + i)];

    // One statement per recipient count, so a direct message's two rows are one round trip on PostgreSQL.
    private static readonly string[] InsertInbox = [.. Enumerable.Range(0, 5).Select(n =>
        "INSERT INTO inbox (\"user\", mid) VALUES " + string.Join(", ", Enumerable.Range(0, n).Select(i => $"(@u{i}, @mid)")) + " ON CONFLICT DO NOTHING")];
    private static readonly string[] RecipientNames = [.. Enumerable.Range(0, 4).Select(i => "u" + i)];

    private static readonly string SelectMessage = $"SELECT {SqlReadStore.MessageColumns} FROM messages m ";

    // ---- messages

    public Message? FindBySenderId(string sender, string id) =>
        Row(SelectMessage + "WHERE m.sender = @sender AND m.id = @id", ReadMessage, ("sender", sender), ("id", id));

    public Message Append(Message draft, IReadOnlyCollection<string> recipients, string conversation)
    {
        var m = Insert(draft, conversation);
        var pending = recipients.ToArray();
        // A direct or support thread's rows: written with each message a person sees in it.
        var threaded = (MessageKinds.IsContent(m.Kind) || m.Kind == MessageKinds.Session) && Conversations.Peer(conversation, m.From) is not null;
        for (var at = 0; at < pending.Length; at += RecipientNames.Length)
        {
            var n = Math.Min(RecipientNames.Length, pending.Length - at);
            var args = new (string, object?)[n + 1];
            for (var i = 0; i < n; i++) args[i] = (RecipientNames[i], pending[at + i]);
            args[n] = ("mid", m.Mid);
            Exec(InsertInbox[n], args);
            if (!threaded) continue;
            var rows = new (string, object?)[2 * n + 2];
            for (var i = 0; i < n; i++)
            {
                rows[2 * i] = (RecipientNames[i], pending[at + i]);
                rows[2 * i + 1] = (ReadUpToNames[i], pending[at + i] == m.From ? m.Mid : 0L);
            }
            rows[2 * n] = ("conversation", conversation);
            rows[2 * n + 1] = ("mid", m.Mid);
            Exec(UpsertConversations[n], rows);
        }
        _appended.Add(new Appended(m, recipients));
        return m;
    }

    public Message AppendToRoom(Message draft, string room)
    {
        var m = Insert(draft with { To = "#" + room }, Conversations.Room(room));
        // One write per room message, whatever the member count: the room's newest mid, and the sender's marker.
        Exec("UPDATE rooms SET last_mid = @mid WHERE name = @room", ("mid", m.Mid), ("room", room));
        if (MessageKinds.IsContent(m.Kind))
            Exec("UPDATE conversation_reads SET read_up_to = @mid WHERE \"user\" = @user AND conversation = @conversation AND read_up_to < @mid",
                ("mid", m.Mid), ("user", m.From), ("conversation", Conversations.Room(room)));
        _appended.Add(new Appended(m, null));
        return m;
    }

    private Message Insert(Message draft, string conversation)
    {
        ReadOnlySpan<(string, object?)> fields = [("id", draft.Id), ("sender", draft.From), ("recipient", draft.To), ("kind", draft.Kind),
            ("body", draft.Body), ("sentAt", draft.SentAt), ("ref", draft.Ref), ("sid", draft.Sid), ("client", draft.Client),
            ("conversation", conversation), ("file", draft.File)];
        long mid;
        if (_w.ReserveMidsSql is null) mid = (long)Scalar(InsertMessage, fields)!;
        else
        {
            // The mid is known here, so the insert waits in the queue with the message's other rows: no round trip of its own.
            mid = NextMid();
            Exec(InsertMessageAt, [("mid", mid), .. fields]);
        }
        if (MessageKinds.IsContent(draft.Kind)) Index(mid, draft.Body);
        return draft with { Mid = mid };
    }

    /// <summary>
    /// The next of the mids this batch reserved, reserving more (one, then twice as many each time, at most 256) when
    /// they run out. Reserved under the write lock, so they follow every other batch's; one that goes unused (a
    /// rejected item, the batch's last ones) is a mid that never exists, as a rolled-back nextval's is.
    /// </summary>
    private long NextMid()
    {
        if (_reserved.Count == 0)
        {
            foreach (var mid in Rows(_w.ReserveMidsSql!, r => r.GetInt64(0), ("count", _reserve))) _reserved.Enqueue(mid);
            _reserve = Math.Min(_reserve * 2, 256);
        }
        return _reserved.Dequeue();
    }

    private void Index(long mid, string body)
    {
        if (body.Length >= 2) Exec(_w.SearchInsertSql, ("mid", mid), ("grams", SearchGrams.Document(body)));
    }

    public IReadOnlyCollection<string> RecipientsOf(Message m)
    {
        var users = new HashSet<string>(Rows("SELECT \"user\" FROM inbox WHERE mid = @mid", r => r.GetString(0), ("mid", m.Mid)), StringComparer.Ordinal);
        if (m.To.StartsWith('#'))
            users.UnionWith(Rows("SELECT \"user\" FROM memberships WHERE room = @room AND from_mid <= @mid AND (to_mid IS NULL OR to_mid >= @mid)",
                r => r.GetString(0), ("room", m.To[1..]), ("mid", m.Mid)));
        return users;
    }

    public Message Recall(Message m, long at)
    {
        foreach (var edit in Rows(SelectMessage + "WHERE m.ref = @mid AND m.kind = 'edit'", ReadMessage, ("mid", m.Mid)))
            Rewritten(edit with { Body = "" }, onTimeline: false);
        Exec("UPDATE messages SET body = '', file = NULL, recalled_at = @at WHERE mid = @mid", ("at", at), ("mid", m.Mid));
        Exec("UPDATE messages SET body = '' WHERE ref = @mid AND kind = 'edit'", ("mid", m.Mid));
        Exec(_w.SearchDeleteSql, ("mid", m.Mid));
        _erased = true;
        return Rewritten(m with { Body = "", File = null, RecalledAt = at }, m.To.StartsWith('#'));
    }

    public Message Edit(Message m, string body, long at)
    {
        Exec("UPDATE messages SET body = @body, edited_at = @at WHERE mid = @mid", ("body", body), ("at", at), ("mid", m.Mid));
        Exec(_w.SearchDeleteSql, ("mid", m.Mid));
        Index(m.Mid, body);
        return Rewritten(m with { Body = body, EditedAt = at }, m.To.StartsWith('#'));
    }

    /// <summary>A stored message now reads <paramref name="m"/>: where it sits in the feed (its room's timeline, or its inbox rows) for the cache.</summary>
    private Message Rewritten(Message m, bool onTimeline)
    {
        _changed.Add(new Appended(m, onTimeline ? null : [.. Rows("SELECT \"user\" FROM inbox WHERE mid = @mid", r => r.GetString(0), ("mid", m.Mid))]));
        return m;
    }

    public Message? GetMessage(long mid) => Row(SelectMessage + "WHERE m.mid = @mid", ReadMessage, ("mid", mid));

    public bool IsRecipient(Message m, string user) =>
        Exists("SELECT 1 FROM inbox WHERE \"user\" = @user AND mid = @mid", ("user", user), ("mid", m.Mid))
        || (m.To.StartsWith('#') && Exists(
            "SELECT 1 FROM memberships WHERE room = @room AND \"user\" = @user AND from_mid <= @mid AND (to_mid IS NULL OR to_mid >= @mid)",
            ("room", m.To[1..]), ("user", user), ("mid", m.Mid)));

    /// <summary>Reads the columns of <see cref="SqlReadStore.MessageColumns"/>, in order.</summary>
    public static Message ReadMessage(DbDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetInt64(6),
        r.IsDBNull(7) ? null : r.GetInt64(7), r.IsDBNull(8) ? null : r.GetInt64(8), r.IsDBNull(9) ? null : r.GetString(9),
        r.IsDBNull(10) ? null : r.GetInt64(10), r.IsDBNull(11) ? null : r.GetInt64(11), r.IsDBNull(12) ? null : r.GetString(12),
        r.IsDBNull(13) ? null : r.GetInt64(13));

    // ---- users and settings

    public bool UserExists(string name) => Exists("SELECT 1 FROM users WHERE name = @name", ("name", name));

    public UserRecord? GetUser(string name) =>
        Row("SELECT name, password_hash, created_at, tokens_after FROM users WHERE name = @name",
            r => new UserRecord(r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetInt64(2), r.IsDBNull(3) ? null : r.GetInt64(3)), ("name", name));

    public void CreateUser(string name, string? passwordHash, long createdAt) =>
        Exec("INSERT INTO users (name, password_hash, created_at) VALUES (@name, @hash, @createdAt) ON CONFLICT DO NOTHING",
            ("name", name), ("hash", passwordHash), ("createdAt", createdAt));

    public void SetSetting(string key, string value) =>
        Exec("INSERT INTO settings (key, value) VALUES (@key, @value) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            ("key", key), ("value", value));

    public bool IsBlocked(string blocker, string blocked) =>
        Exists("SELECT 1 FROM blocks WHERE blocker = @blocker AND blocked = @blocked", ("blocker", blocker), ("blocked", blocked));

    public (bool Exists, bool Blocks) UserAndBlock(string name, string sender) =>
        _addressed is not null && _addressed.TryGetValue((name, sender), out var read) ? (true, read) :
        Rows("SELECT CASE WHEN EXISTS (SELECT 1 FROM blocks WHERE blocker = u.name AND blocked = @sender) THEN 1 ELSE 0 END FROM users u WHERE u.name = @name",
            r => r.GetInt32(0) == 1, ("name", name), ("sender", sender)) is [var blocks] ? (true, blocks) : (false, false);

    public bool Block(string blocker, string blocked, long at)
    {
        _addressed = null; // read before this change
        return Count("INSERT INTO blocks (blocker, blocked, created_at) VALUES (@blocker, @blocked, @at) ON CONFLICT DO NOTHING",
            ("blocker", blocker), ("blocked", blocked), ("at", at)) > 0;
    }

    public bool Unblock(string blocker, string blocked)
    {
        _addressed = null; // read before this change
        return Count("DELETE FROM blocks WHERE blocker = @blocker AND blocked = @blocked", ("blocker", blocker), ("blocked", blocked)) > 0;
    }

    // ---- read markers

    public long? ReadUpTo(string user, string conversation) =>
        Scalar("SELECT read_up_to FROM conversation_reads WHERE \"user\" = @user AND conversation = @conversation",
            ("user", user), ("conversation", conversation)) is { } v ? Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture) : null;

    public bool MarkRead(string user, string conversation, long upTo) =>
        Count("UPDATE conversation_reads SET read_up_to = @upTo WHERE \"user\" = @user AND conversation = @conversation AND read_up_to < @upTo",
            ("upTo", upTo), ("user", user), ("conversation", conversation)) > 0;

    // ---- files

    private const string FileColumns = "id, owner, name, size, type, created_at, mid";

    private static StoredFile ReadFile(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.GetString(4), r.GetInt64(5), r.IsDBNull(6) ? null : r.GetInt64(6));

    public void Add(StoredFile file, byte[]? content) =>
        Exec($"INSERT INTO files ({FileColumns}, content) VALUES (@id, @owner, @name, @size, @type, @createdAt, NULL, @content)",
            ("id", file.Id), ("owner", file.Owner), ("name", file.Name), ("size", file.Size), ("type", file.Type), ("createdAt", file.CreatedAt), ("content", content));

    public StoredFile? Get(string id) => Row($"SELECT {FileColumns} FROM files WHERE id = @id", ReadFile, ("id", id));

    public void Attach(string id, long mid) => Exec("UPDATE files SET mid = @mid WHERE id = @id", ("mid", mid), ("id", id));

    public (int Count, long? Oldest) UploadedSince(string owner, long since) =>
        Rows("SELECT count(*), min(created_at) FROM files WHERE owner = @owner AND created_at > @since",
            r => ((int)r.GetInt64(0), r.IsDBNull(1) ? (long?)null : r.GetInt64(1)), ("owner", owner), ("since", since))[0];

    public string? EraseOf(long mid)
    {
        var id = Scalar("SELECT id FROM files WHERE mid = @mid", ("mid", mid)) as string;
        if (id is null) return null;
        Exec("DELETE FROM files WHERE id = @id", ("id", id));
        _erased = true;
        return id;
    }

    // ---- rooms and membership intervals

    public bool RoomExists(string room) => Exists("SELECT 1 FROM rooms WHERE name = @room", ("room", room));

    public void CreateRoom(string room, string createdBy, long createdAt) =>
        Exec("INSERT INTO rooms (name, created_by, created_at) VALUES (@room, @createdBy, @createdAt) ON CONFLICT DO NOTHING",
            ("room", room), ("createdBy", createdBy), ("createdAt", createdAt));

    public bool IsMember(string room, string user) =>
        Exists("SELECT 1 FROM memberships WHERE room = @room AND \"user\" = @user AND to_mid IS NULL", ("room", room), ("user", user));

    public int CountMembers(string room) =>
        (int)Convert.ToInt64(Scalar("SELECT count(*) FROM memberships WHERE room = @room AND to_mid IS NULL", ("room", room)),
            System.Globalization.CultureInfo.InvariantCulture);

    public IReadOnlyList<string> Members(string room) =>
        Rows("SELECT \"user\" FROM memberships WHERE room = @room AND to_mid IS NULL", r => r.GetString(0), ("room", room));

    public void Join(string room, string user, long fromMid, long joinedAt)
    {
        Exec("INSERT INTO memberships (room, \"user\", from_mid, to_mid, joined_at) VALUES (@room, @user, @fromMid, NULL, @joinedAt)",
            ("room", room), ("user", user), ("fromMid", fromMid), ("joinedAt", joinedAt));
        // The room is one of the member's conversations from the join on, read up to it.
        Exec(UpsertConversations[1], (RecipientNames[0], user), (ReadUpToNames[0], fromMid), ("conversation", Conversations.Room(room)), ("mid", 0L));
    }

    public void Leave(string room, string user, long toMid)
    {
        Exec("UPDATE memberships SET to_mid = @toMid WHERE room = @room AND \"user\" = @user AND to_mid IS NULL",
            ("toMid", toMid), ("room", room), ("user", user));
        Exec("DELETE FROM conversation_reads WHERE \"user\" = @user AND conversation = @conversation", ("user", user), ("conversation", Conversations.Room(room)));
    }

    // ---- support sessions

    private static readonly string SelectSession = $"SELECT {SqlReadStore.SessionColumns} FROM support_sessions ";

    private static SupportSession ReadSession(DbDataReader r) =>
        new(r.GetInt64(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetInt64(3), r.IsDBNull(4) ? null : r.GetInt64(4));

    public SupportSession? OpenSessionOf(string customer) =>
        Row(SelectSession + "WHERE customer = @customer AND closed_at IS NULL", ReadSession, ("customer", customer));

    public SupportSession? GetSession(long sid) => Row(SelectSession + "WHERE sid = @sid", ReadSession, ("sid", sid));

    public IReadOnlyList<SupportSession> UnassignedSessions() =>
        Rows(SelectSession + "WHERE agent IS NULL AND closed_at IS NULL ORDER BY sid", ReadSession);

    public IReadOnlyDictionary<string, int> OpenSessionCounts() =>
        Rows("SELECT agent, count(*) FROM support_sessions WHERE agent IS NOT NULL AND closed_at IS NULL GROUP BY agent",
            r => (Agent: r.GetString(0), Count: (int)r.GetInt64(1)))
            .ToDictionary(r => r.Agent, r => r.Count, StringComparer.Ordinal);

    public long CreateSession(string customer, string? agent, long openedAt) =>
        Convert.ToInt64(Scalar("INSERT INTO support_sessions (customer, agent, opened_at) VALUES (@customer, @agent, @openedAt) RETURNING sid",
            ("customer", customer), ("agent", agent), ("openedAt", openedAt)), System.Globalization.CultureInfo.InvariantCulture);

    public void AssignSession(long sid, string agent) =>
        Exec("UPDATE support_sessions SET agent = @agent WHERE sid = @sid", ("agent", agent), ("sid", sid));

    public void CloseSession(long sid, long closedAt) =>
        Exec("UPDATE support_sessions SET closed_at = @closedAt WHERE sid = @sid", ("closedAt", closedAt), ("sid", sid));
}
