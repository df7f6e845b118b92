using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace CometChat.Storage;

/// <summary>The writer's SQLite connection: WAL, synchronous=FULL (see <see cref="SqliteDatabase.OpenWriter"/>), BEGIN IMMEDIATE.</summary>
internal sealed class SqliteWriterConnection(SqliteDatabase db, int busyTimeoutSeconds) : SqlWriterConnection
{
    protected override DbConnection Open() => db.OpenWriter();

    // IMMEDIATE: the write lock is taken at BEGIN, so a busy database fails the batch before any item runs.
    protected override DbTransaction Begin(DbConnection connection, out long? after)
    {
        after = null; // one writer: the node's own head is the store's
        return ((SqliteConnection)connection).BeginTransaction(deferred: false);
    }

    protected override int CommandTimeoutSeconds => busyTimeoutSeconds;

    public override Core.StoreUnavailableException? Translate(Exception e) => e is SqliteException s ? SqliteDatabase.Translate(s) : null;
}
