using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace CometChat.Storage;

/// <summary>The writer's SQLite connection: WAL, synchronous=FULL (see <see cref="SqliteDatabase.OpenWriter"/>), BEGIN IMMEDIATE.</summary>
internal sealed class SqliteWriterConnection(SqliteDatabase db, int busyTimeoutSeconds) : SqlWriterConnection
{
    protected override DbConnection Open() => db.OpenWriter();

    // IMMEDIATE: the write lock is taken at BEGIN, so a busy database fails the batch before any item runs.
    // Nothing is written to a file that is no longer the database at the path (deleted, moved or replaced).
    // One writer: the node's own head is the store's. In-process: each check and insert costs no round trip.
    protected override BatchStart Begin(DbConnection connection, IReadOnlyCollection<(string User, string Sender)>? addressed)
    {
        db.VerifyIdentity((SqliteConnection)connection, committed: false);
        return new BatchStart(((SqliteConnection)connection).BeginTransaction(deferred: false));
    }

    // Committed, but to the file at the configured path? If not, the batch is gone at the next start: acknowledge none of it.
    public override void Committed() => db.VerifyIdentity((SqliteConnection)Connection, committed: true);

    protected override int CommandTimeoutSeconds => busyTimeoutSeconds;

    public override string SearchInsertSql => "INSERT INTO message_search (rowid, grams) VALUES (@mid, @grams)";

    public override string SearchDeleteSql => "DELETE FROM message_search WHERE rowid = @mid";

    /// <summary>
    /// The writer runs with secure_delete, so an erased body is overwritten in the database file; the WAL still holds
    /// the older page images until a checkpoint copies the new ones back and truncates it. Best effort: a reader still on
    /// an older snapshot makes it stop short, and the next erase (or SQLite's own checkpoints) finishes the job.
    /// </summary>
    public override void AfterErase()
    {
        try
        {
            using var cmd = Connection.CreateCommand();
            cmd.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
            cmd.ExecuteNonQuery();
        }
        catch (SqliteException) { }
    }

    public override Core.StoreUnavailableException? Translate(Exception e) => e is SqliteException s ? SqliteDatabase.Translate(s) : null;
}
