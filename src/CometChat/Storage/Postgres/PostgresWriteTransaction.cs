using CometChat.Core;
using Dapper;
using Npgsql;

namespace CometChat.Storage.Postgres;

/// <summary>
/// The writer's transaction on PostgreSQL. Its first statement takes the cluster-wide write lock
/// (<c>pg_advisory_xact_lock</c>), held until commit or rollback, before any nextval: so mids are assigned
/// in commit order across every node, and a reader that has seen mid N can never later meet a mid below N.
/// Synchronous on purpose: it runs on the single writer loop.
/// </summary>
internal sealed class PostgresWriteTransaction : IWriteTransaction
{
    private const string SavepointName = "item";
    private readonly PostgresWriterConnection _w;
    private readonly NpgsqlConnection _c;
    private readonly NpgsqlTransaction _tx;
    private readonly int _timeout;
    private bool _committed;

    public PostgresWriteTransaction(PostgresWriterConnection writer)
    {
        _w = writer;
        _timeout = writer.Database.WriteTimeoutSeconds;
        try
        {
            _c = writer.Connection;
            _tx = _c.BeginTransaction();
            if (writer.Database.SerializeWrites)
                _c.Execute("SELECT pg_advisory_xact_lock(@WriteLock)", new { PostgresDatabase.WriteLock }, _tx, _timeout);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            writer.Reset();
            throw Translate(e);
        }
    }

    public Message? FindBySenderId(string sender, string id) =>
        Run(() => _c.QueryFirstOrDefault<Message>(
            $"SELECT {SqlReadStore.MessageColumns} FROM messages m WHERE m.sender = @sender AND m.id = @id",
            new { sender, id }, _tx, _timeout));

    public Message Append(Message draft, IReadOnlyCollection<string> recipients, string conversation) => Run(() =>
    {
        var mid = _c.ExecuteScalar<long>(
            "INSERT INTO messages (id, sender, recipient, kind, body, sent_at, ref, sid, client, conversation) " +
            "VALUES (@Id, @From, @To, @Kind, @Body, @SentAt, @Ref, @Sid, @Client, @conversation) RETURNING mid",
            new { draft.Id, draft.From, draft.To, draft.Kind, draft.Body, draft.SentAt, draft.Ref, draft.Sid, draft.Client, conversation },
            _tx, _timeout);
        if (recipients.Count > 0)
            _c.Execute("INSERT INTO inbox (\"user\", mid) SELECT u, @mid FROM unnest(@users) AS u ON CONFLICT DO NOTHING",
                new { mid, users = recipients.ToArray() }, _tx, _timeout);
        return draft with { Mid = mid };
    });

    public Message? GetMessage(long mid) =>
        Run(() => _c.QueryFirstOrDefault<Message>(
            $"SELECT {SqlReadStore.MessageColumns} FROM messages m WHERE m.mid = @mid", new { mid }, _tx, _timeout));

    public bool IsRecipient(long mid, string user) =>
        Run(() => _c.ExecuteScalar<int?>("SELECT 1 FROM inbox WHERE \"user\" = @user AND mid = @mid", new { user, mid }, _tx, _timeout) is not null);

    public bool UserExists(string name) =>
        Run(() => _c.ExecuteScalar<int?>("SELECT 1 FROM users WHERE name = @name", new { name }, _tx, _timeout) is not null);

    public UserRecord? GetUser(string name) =>
        Run(() => _c.QueryFirstOrDefault<UserRecord>(
            $"SELECT {SqlReadStore.UserColumns} FROM users WHERE name = @name",
            new { name }, _tx, _timeout));

    public void CreateUser(string name, string? passwordHash, long createdAt) =>
        Exec("INSERT INTO users (name, password_hash, created_at) VALUES (@name, @passwordHash, @createdAt) ON CONFLICT DO NOTHING",
            new { name, passwordHash, createdAt });

    public void SetPassword(string name, string? passwordHash) =>
        Exec("UPDATE users SET password_hash = @passwordHash WHERE name = @name", new { name, passwordHash });

    public void SetSetting(string key, string value) =>
        Exec("INSERT INTO settings (key, value) VALUES (@key, @value) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            new { key, value });

    public bool RoomExists(string room) =>
        Run(() => _c.ExecuteScalar<int?>("SELECT 1 FROM rooms WHERE name = @room", new { room }, _tx, _timeout) is not null);

    public void CreateRoom(string room, string createdBy, long createdAt) =>
        Exec("INSERT INTO rooms (name, created_by, created_at) VALUES (@room, @createdBy, @createdAt) ON CONFLICT DO NOTHING",
            new { room, createdBy, createdAt });

    public IReadOnlyList<string> RoomMembers(string room) =>
        Run(() => _c.Query<string>("SELECT \"user\" FROM members WHERE room = @room", new { room }, _tx, commandTimeout: _timeout).AsList());

    public bool IsMember(string room, string user) =>
        Run(() => _c.ExecuteScalar<int?>("SELECT 1 FROM members WHERE room = @room AND \"user\" = @user", new { room, user }, _tx, _timeout) is not null);

    public void AddMember(string room, string user, long joinedAt) =>
        Exec("INSERT INTO members (room, \"user\", joined_at) VALUES (@room, @user, @joinedAt) ON CONFLICT DO NOTHING",
            new { room, user, joinedAt });

    public void RemoveMember(string room, string user) =>
        Exec("DELETE FROM members WHERE room = @room AND \"user\" = @user", new { room, user });

    public SupportSession? OpenSessionOf(string customer) =>
        Run(() => _c.QueryFirstOrDefault<SupportSession>(
            $"SELECT {SqlReadStore.SessionColumns} FROM support_sessions WHERE customer = @customer AND closed_at IS NULL",
            new { customer }, _tx, _timeout));

    public SupportSession? GetSession(long sid) =>
        Run(() => _c.QueryFirstOrDefault<SupportSession>(
            $"SELECT {SqlReadStore.SessionColumns} FROM support_sessions WHERE sid = @sid", new { sid }, _tx, _timeout));

    public IReadOnlyList<SupportSession> UnassignedSessions() =>
        Run(() => _c.Query<SupportSession>(
            $"SELECT {SqlReadStore.SessionColumns} FROM support_sessions WHERE agent IS NULL AND closed_at IS NULL ORDER BY sid",
            transaction: _tx, commandTimeout: _timeout).AsList());

    public IReadOnlyDictionary<string, int> OpenSessionCounts() =>
        Run(() => _c.Query<(string Agent, long Count)>(
            "SELECT agent, count(*) FROM support_sessions WHERE agent IS NOT NULL AND closed_at IS NULL GROUP BY agent",
            transaction: _tx, commandTimeout: _timeout)
            .ToDictionary(r => r.Agent, r => (int)r.Count, StringComparer.Ordinal));

    public long CreateSession(string customer, string? agent, long openedAt) =>
        Run(() => _c.ExecuteScalar<long>(
            "INSERT INTO support_sessions (customer, agent, opened_at) VALUES (@customer, @agent, @openedAt) RETURNING sid",
            new { customer, agent, openedAt }, _tx, _timeout));

    public void AssignSession(long sid, string agent) =>
        Exec("UPDATE support_sessions SET agent = @agent WHERE sid = @sid", new { sid, agent });

    public void CloseSession(long sid, long closedAt) =>
        Exec("UPDATE support_sessions SET closed_at = @closedAt WHERE sid = @sid", new { sid, closedAt });

    public IReadOnlyList<string> NamesWithoutSkeleton(NameKind kind, int limit) => Run(() => NameStatements.WithoutSkeleton(_c, _tx, _timeout, kind, limit));
    public void ClearSkeletons(NameKind kind) => Run(() => { NameStatements.ClearSkeletons(_c, _tx, _timeout, kind); return true; });
    public void SetSkeleton(NameKind kind, string name, string skeleton) => Run(() => { NameStatements.SetSkeleton(_c, _tx, _timeout, kind, name, skeleton); return true; });
    public IReadOnlyList<string> NamesWithSkeleton(NameKind kind, string skeleton) => Run(() => NameStatements.WithSkeleton(_c, _tx, _timeout, kind, skeleton));
    public IReadOnlyList<string[]> SkeletonCollisions(NameKind kind) => Run(() => NameStatements.Collisions(_c, _tx, _timeout, kind));
    public void Rename(NameKind kind, string from, string to) => Run(() => { NameStatements.Rename(_c, _tx, _timeout, kind, from, to); return true; });

    public void RevokeTokens(string user, long at) => Run(() => { AccountStatements.RevokeTokens(_c, _tx, _timeout, user, at); return true; });
    public void RevokeToken(string tokenHash, string user, long expiresAt) => Run(() => { AccountStatements.RevokeToken(_c, _tx, _timeout, tokenHash, user, expiresAt); return true; });
    public void PurgeRevokedTokens(long now) => Run(() => { AccountStatements.PurgeRevokedTokens(_c, _tx, _timeout, now); return true; });
    public void DeleteUser(string user, long at) => Run(() => { AccountStatements.DeleteUser(_c, _tx, _timeout, user, at); return true; });
    public IReadOnlyList<string> RoomsOf(string user) => Run(() => AccountStatements.RoomsOf(_c, _tx, _timeout, user));
    public int EraseMessages(MessageErasure what, long erasedAt) => Run(() => AccountStatements.EraseMessages(_c, _tx, _timeout, what, erasedAt));

    public void Savepoint() => Run(() => { _tx.Save(SavepointName); return true; });
    public void ReleaseSavepoint() => Run(() => { _tx.Release(SavepointName); return true; });
    public void RollbackToSavepoint() => Run(() => { _tx.Rollback(SavepointName); _tx.Release(SavepointName); return true; });

    public void Commit()
    {
        Run(() => { _tx.Commit(); return true; });
        _committed = true;
    }

    public void Dispose()
    {
        try { _tx.Dispose(); }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException) { }
        // A batch that failed part-way (lost connection, timeout) leaves no connection state behind.
        if (!_committed) _w.Reset();
    }

    private void Exec(string sql, object args) => Run(() => _c.Execute(sql, args, _tx, _timeout));

    private T Run<T>(Func<T> statement)
    {
        try { return statement(); }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException) { throw Translate(e); }
    }

    private Exception Translate(Exception e) =>
        e is NpgsqlException n ? _w.Database.Translate(n) : new StoreUnavailableException($"The database connection failed: {e.Message}", e);
}
