using CometChat.Core;
using Microsoft.Data.Sqlite;

namespace CometChat.Storage;

/// <summary>
/// The writer's one long-lived connection and its prepared hot statements. Only the single writer
/// loop uses it, one transaction at a time; a failed begin or commit resets it, so the next batch
/// starts on a fresh connection (that is how the store heals after a lock, full disk or read-only spell).
/// </summary>
internal sealed class SqliteWriterConnection(SqliteDatabase db) : IDisposable
{
    private SqliteConnection? _connection;
    private Statements? _statements;

    public SqliteConnection Connection => _connection ??= db.OpenWriter();

    private Statements S => _statements ??= new Statements(Connection);

    public SqliteCommand FindBySenderId => S.FindBySenderId;
    public SqliteCommand InsertMessage => S.InsertMessage;
    public SqliteCommand InsertInbox => S.InsertInbox;
    public SqliteCommand UserExists => S.UserExists;
    public SqliteCommand Savepoint => S.Savepoint;
    public SqliteCommand Release => S.Release;
    public SqliteCommand RollbackTo => S.RollbackTo;

    /// <summary>Throws (503) when the file this connection wrote is no longer the database file at its path.</summary>
    public void VerifyCommitted() => db.VerifyIdentity(Connection, committed: true);

    public SqliteTransaction Begin()
    {
        db.VerifyIdentity(Connection, committed: false);
        var tx = Connection.BeginTransaction(deferred: false);
        S.Enlist(tx);
        return tx;
    }

    public void End(SqliteTransaction tx)
    {
        _statements?.Enlist(null);
        tx.Dispose();
    }

    public void Reset()
    {
        _statements?.Dispose();
        _statements = null;
        _connection?.Dispose();
        _connection = null;
    }

    public static Message ReadMessage(SqliteDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetInt64(6),
        r.IsDBNull(7) ? null : r.GetInt64(7), r.IsDBNull(8) ? null : r.GetInt64(8), r.IsDBNull(9) ? null : r.GetString(9),
        r.IsDBNull(10) ? null : r.GetInt64(10));

    public void Dispose() => Reset();

    /// <summary>Commands kept across batches: Microsoft.Data.Sqlite keeps a command's prepared statement while its text is unchanged.</summary>
    private sealed class Statements(SqliteConnection c) : IDisposable
    {
        public readonly SqliteCommand FindBySenderId = Command(c,
            $"SELECT {SqlReadStore.MessageColumns} FROM messages m WHERE m.sender = $sender AND m.id = $id", "$sender", "$id");
        public readonly SqliteCommand InsertMessage = Command(c,
            "INSERT INTO messages (id, sender, recipient, kind, body, sent_at, ref, sid, client, conversation) " +
            "VALUES ($id, $sender, $recipient, $kind, $body, $sentAt, $ref, $sid, $client, $conversation) RETURNING mid",
            "$id", "$sender", "$recipient", "$kind", "$body", "$sentAt", "$ref", "$sid", "$client", "$conversation");
        public readonly SqliteCommand InsertInbox = Command(c, "INSERT OR IGNORE INTO inbox (user, mid) VALUES ($user, $mid)", "$user", "$mid");
        public readonly SqliteCommand UserExists = Command(c, "SELECT 1 FROM users WHERE name = $name", "$name");
        public readonly SqliteCommand Savepoint = Command(c, "SAVEPOINT item");
        public readonly SqliteCommand Release = Command(c, "RELEASE item");
        public readonly SqliteCommand RollbackTo = Command(c, "ROLLBACK TO item");

        private IEnumerable<SqliteCommand> All => [FindBySenderId, InsertMessage, InsertInbox, UserExists, Savepoint, Release, RollbackTo];

        public void Enlist(SqliteTransaction? tx)
        {
            foreach (var cmd in All) cmd.Transaction = tx;
        }

        private static SqliteCommand Command(SqliteConnection c, string sql, params string[] parameters)
        {
            var cmd = c.CreateCommand();
            cmd.CommandText = sql;
            foreach (var name in parameters) cmd.Parameters.Add(new SqliteParameter { ParameterName = name, Value = DBNull.Value });
            return cmd;
        }

        public void Dispose()
        {
            foreach (var cmd in All) cmd.Dispose();
        }
    }
}
