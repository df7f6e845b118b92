using System.Data.Common;
using CometChat.Core;

namespace CometChat.Storage;

/// <summary>The writes by role: messages, users, rooms and their membership intervals, support sessions.</summary>
internal sealed partial class SqlWriteTransaction
{
    private const string InsertMessage =
        "INSERT INTO messages (id, sender, recipient, kind, body, sent_at, ref, sid, client, conversation) " +
        "VALUES (@id, @sender, @recipient, @kind, @body, @sentAt, @ref, @sid, @client, @conversation) RETURNING mid";

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
        for (var at = 0; at < pending.Length; at += RecipientNames.Length)
        {
            var n = Math.Min(RecipientNames.Length, pending.Length - at);
            var args = new (string, object?)[n + 1];
            for (var i = 0; i < n; i++) args[i] = (RecipientNames[i], pending[at + i]);
            args[n] = ("mid", m.Mid);
            Exec(InsertInbox[n], args);
        }
        _appended.Add(new Appended(m, recipients));
        return m;
    }

    public Message AppendToRoom(Message draft, string room)
    {
        var m = Insert(draft with { To = "#" + room }, Conversations.Room(room));
        _appended.Add(new Appended(m, null));
        return m;
    }

    private Message Insert(Message draft, string conversation)
    {
        var mid = (long)Scalar(InsertMessage, ("id", draft.Id), ("sender", draft.From), ("recipient", draft.To), ("kind", draft.Kind),
            ("body", draft.Body), ("sentAt", draft.SentAt), ("ref", draft.Ref), ("sid", draft.Sid), ("client", draft.Client),
            ("conversation", conversation))!;
        return draft with { Mid = mid };
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
        r.IsDBNull(10) ? null : r.GetInt64(10));

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

    public void Join(string room, string user, long fromMid, long joinedAt) =>
        Exec("INSERT INTO memberships (room, \"user\", from_mid, to_mid, joined_at) VALUES (@room, @user, @fromMid, NULL, @joinedAt)",
            ("room", room), ("user", user), ("fromMid", fromMid), ("joinedAt", joinedAt));

    public void Leave(string room, string user, long toMid) =>
        Exec("UPDATE memberships SET to_mid = @toMid WHERE room = @room AND \"user\" = @user AND to_mid IS NULL",
            ("toMid", toMid), ("room", room), ("user", user));

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
