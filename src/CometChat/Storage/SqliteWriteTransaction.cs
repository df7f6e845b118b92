using CometChat.Core;
using Dapper;
using Microsoft.Data.Sqlite;

namespace CometChat.Storage;

/// <summary>The writer's transaction. Synchronous on purpose: it runs on the single writer loop.</summary>
internal sealed class SqliteWriteTransaction : IWriteTransaction
{
    private readonly SqliteWriterConnection _w;
    private readonly SqliteConnection _c;
    private readonly SqliteTransaction _tx;
    private bool _committed;

    public SqliteWriteTransaction(SqliteWriterConnection writer)
    {
        _w = writer;
        _c = writer.Connection;
        try { _tx = writer.Begin(); }
        catch (SqliteException e)
        {
            writer.Reset();
            throw SqliteDatabase.Translate(e);
        }
    }

    public Message? FindBySenderId(string sender, string id)
    {
        var cmd = _w.FindBySenderId;
        cmd.Parameters[0].Value = sender;
        cmd.Parameters[1].Value = id;
        using var reader = cmd.ExecuteReader();
        return reader.Read() ? SqliteWriterConnection.ReadMessage(reader) : null;
    }

    public Message Append(Message draft, IReadOnlyCollection<string> recipients, string conversation)
    {
        var insert = _w.InsertMessage;
        var p = insert.Parameters;
        p[0].Value = draft.Id;
        p[1].Value = draft.From;
        p[2].Value = draft.To;
        p[3].Value = draft.Kind;
        p[4].Value = draft.Body;
        p[5].Value = draft.SentAt;
        p[6].Value = (object?)draft.Ref ?? DBNull.Value;
        p[7].Value = (object?)draft.Sid ?? DBNull.Value;
        p[8].Value = (object?)draft.Client ?? DBNull.Value;
        p[9].Value = conversation;
        var mid = (long)insert.ExecuteScalar()!;
        var inbox = _w.InsertInbox;
        inbox.Parameters[1].Value = mid;
        foreach (var user in recipients)
        {
            inbox.Parameters[0].Value = user;
            inbox.ExecuteNonQuery();
        }
        return draft with { Mid = mid };
    }

    public Message? GetMessage(long mid) =>
        _c.QueryFirstOrDefault<Message>($"SELECT {SqlReadStore.MessageColumns} FROM messages m WHERE m.mid = @mid", new { mid }, _tx);

    public bool IsRecipient(long mid, string user) =>
        _c.ExecuteScalar<long?>("SELECT 1 FROM inbox WHERE user = @user AND mid = @mid", new { user, mid }, _tx) is not null;

    public bool UserExists(string name)
    {
        var cmd = _w.UserExists;
        cmd.Parameters[0].Value = name;
        return cmd.ExecuteScalar() is not null;
    }

    public UserRecord? GetUser(string name) =>
        _c.QueryFirstOrDefault<UserRecord>(
            $"SELECT {SqlReadStore.UserColumns} FROM users WHERE name = @name",
            new { name }, _tx);

    public void CreateUser(string name, string? passwordHash, long createdAt) =>
        _c.Execute("INSERT OR IGNORE INTO users (name, password_hash, created_at) VALUES (@name, @passwordHash, @createdAt)",
            new { name, passwordHash, createdAt }, _tx);

    public void SetPassword(string name, string? passwordHash) =>
        _c.Execute("UPDATE users SET password_hash = @passwordHash WHERE name = @name", new { name, passwordHash }, _tx);

    public void SetSetting(string key, string value) =>
        _c.Execute("INSERT INTO settings (key, value) VALUES (@key, @value) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            new { key, value }, _tx);

    public bool RoomExists(string room) =>
        _c.ExecuteScalar<long?>("SELECT 1 FROM rooms WHERE name = @room", new { room }, _tx) is not null;

    public void CreateRoom(string room, string createdBy, long createdAt) =>
        _c.Execute("INSERT OR IGNORE INTO rooms (name, created_by, created_at) VALUES (@room, @createdBy, @createdAt)",
            new { room, createdBy, createdAt }, _tx);

    public IReadOnlyList<string> RoomMembers(string room) =>
        _c.Query<string>("SELECT user FROM members WHERE room = @room", new { room }, _tx).AsList();

    public bool IsMember(string room, string user) =>
        _c.ExecuteScalar<long?>("SELECT 1 FROM members WHERE room = @room AND user = @user", new { room, user }, _tx) is not null;

    public void AddMember(string room, string user, long joinedAt) =>
        _c.Execute("INSERT OR IGNORE INTO members (room, user, joined_at) VALUES (@room, @user, @joinedAt)",
            new { room, user, joinedAt }, _tx);

    public void RemoveMember(string room, string user) =>
        _c.Execute("DELETE FROM members WHERE room = @room AND user = @user", new { room, user }, _tx);

    public SupportSession? OpenSessionOf(string customer) =>
        _c.QueryFirstOrDefault<SupportSession>(
            $"SELECT {SqlReadStore.SessionColumns} FROM support_sessions WHERE customer = @customer AND closed_at IS NULL", new { customer }, _tx);

    public SupportSession? GetSession(long sid) =>
        _c.QueryFirstOrDefault<SupportSession>($"SELECT {SqlReadStore.SessionColumns} FROM support_sessions WHERE sid = @sid", new { sid }, _tx);

    public IReadOnlyList<SupportSession> UnassignedSessions() =>
        _c.Query<SupportSession>(
            $"SELECT {SqlReadStore.SessionColumns} FROM support_sessions WHERE agent IS NULL AND closed_at IS NULL ORDER BY sid", transaction: _tx).AsList();

    public IReadOnlyDictionary<string, int> OpenSessionCounts() =>
        _c.Query<(string Agent, long Count)>(
            "SELECT agent, COUNT(*) FROM support_sessions WHERE agent IS NOT NULL AND closed_at IS NULL GROUP BY agent", transaction: _tx)
            .ToDictionary(r => r.Agent, r => (int)r.Count, StringComparer.Ordinal);

    public long CreateSession(string customer, string? agent, long openedAt) =>
        _c.ExecuteScalar<long>(
            "INSERT INTO support_sessions (customer, agent, opened_at) VALUES (@customer, @agent, @openedAt) RETURNING sid",
            new { customer, agent, openedAt }, _tx);

    public void AssignSession(long sid, string agent) =>
        _c.Execute("UPDATE support_sessions SET agent = @agent WHERE sid = @sid", new { sid, agent }, _tx);

    public void CloseSession(long sid, long closedAt) =>
        _c.Execute("UPDATE support_sessions SET closed_at = @closedAt WHERE sid = @sid", new { sid, closedAt }, _tx);

    public IReadOnlyList<string> NamesWithoutSkeleton(NameKind kind, int limit) => NameStatements.WithoutSkeleton(_c, _tx, null, kind, limit);
    public void ClearSkeletons(NameKind kind) => NameStatements.ClearSkeletons(_c, _tx, null, kind);
    public void SetSkeleton(NameKind kind, string name, string skeleton) => NameStatements.SetSkeleton(_c, _tx, null, kind, name, skeleton);
    public IReadOnlyList<string> NamesWithSkeleton(NameKind kind, string skeleton) => NameStatements.WithSkeleton(_c, _tx, null, kind, skeleton);
    public IReadOnlyList<string[]> SkeletonCollisions(NameKind kind) => NameStatements.Collisions(_c, _tx, null, kind);
    public void Rename(NameKind kind, string from, string to) => NameStatements.Rename(_c, _tx, null, kind, from, to);

    public void RevokeTokens(string user, long at) => AccountStatements.RevokeTokens(_c, _tx, null, user, at);
    public void RevokeToken(string tokenHash, string user, long expiresAt) => AccountStatements.RevokeToken(_c, _tx, null, tokenHash, user, expiresAt);
    public void PurgeRevokedTokens(long now) => AccountStatements.PurgeRevokedTokens(_c, _tx, null, now);
    public void DeleteUser(string user, long at) => AccountStatements.DeleteUser(_c, _tx, null, user, at);
    public IReadOnlyList<string> RoomsOf(string user) => AccountStatements.RoomsOf(_c, _tx, null, user);
    public int EraseMessages(MessageErasure what, long erasedAt) => AccountStatements.EraseMessages(_c, _tx, null, what, erasedAt);

    public void Savepoint() => _w.Savepoint.ExecuteNonQuery();
    public void ReleaseSavepoint() => _w.Release.ExecuteNonQuery();
    public void RollbackToSavepoint()
    {
        _w.RollbackTo.ExecuteNonQuery();
        _w.Release.ExecuteNonQuery();
    }

    public void Commit()
    {
        try
        {
            _tx.Commit();
            _committed = true;
        }
        catch (SqliteException e)
        {
            _w.Reset();
            throw SqliteDatabase.Translate(e);
        }
        // Committed, but to the file at the configured path? If not, the batch is lost at the next start: acknowledge none of it.
        _w.VerifyCommitted();
    }

    public void Dispose()
    {
        _w.End(_tx);
        // A batch that failed part-way (full disk, I/O error) leaves no connection state behind.
        if (!_committed) _w.Reset();
    }
}
