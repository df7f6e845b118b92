using System.Data.Common;
using Dapper;
using Npgsql;

namespace CometChat.Storage.Postgres;

/// <summary>
/// The writer's PostgreSQL connection. Each transaction's first statement takes the cluster-wide write lock
/// (<c>pg_advisory_xact_lock</c>), held until commit or rollback, before any nextval: so mids are assigned in
/// commit order across every node, and a reader that has seen mid N can never later meet a mid below N. The same round
/// trip reads the head the batch follows, which every node uses to tell whether it has seen every batch before it.
/// </summary>
internal sealed class PostgresWriterConnection(PostgresDatabase db) : SqlWriterConnection
{
    protected override DbConnection Open() => db.Open();

    // Two statements, one round trip: each takes its snapshot when it runs, so max(mid) sees every batch that
    // committed before the lock was granted.
    private const string LockAndHead = "SELECT pg_advisory_xact_lock(@WriteLock); SELECT max(mid) FROM messages";

    protected override DbTransaction Begin(DbConnection connection, out long? after)
    {
        var c = (NpgsqlConnection)connection;
        var tx = c.BeginTransaction();
        if (!db.SerializeWrites)
        {
            after = c.ExecuteScalar<long?>("SELECT max(mid) FROM messages", transaction: tx) ?? 0;
            return tx;
        }
        using var both = c.QueryMultiple(LockAndHead, new { PostgresDatabase.WriteLock }, tx, db.WriteTimeoutSeconds);
        both.Read();
        after = both.ReadSingle<long?>() ?? 0;
        return tx;
    }

    protected override int CommandTimeoutSeconds => db.WriteTimeoutSeconds;

    // An NpgsqlBatch is one round trip: every statement queued inside the write lock costs none of its own.
    public override bool Pipelines => true;

    // Under the write lock (taken at begin), so the block follows every mid of the batches before and precedes the next's.
    // Without the lock (tests that show what it prevents) each insert takes its own mid, as before.
    public override string? ReserveMidsSql => !db.SerializeWrites ? null :
        "SELECT nextval(pg_get_serial_sequence('messages', 'mid')) FROM generate_series(1, @count) ORDER BY 1";

    public override string SearchInsertSql => "INSERT INTO message_search (mid, grams) VALUES (@mid, to_tsvector('simple', @grams))";

    public override string SearchDeleteSql => "DELETE FROM message_search WHERE mid = @mid";

    public override Core.StoreUnavailableException? Translate(Exception e) => e switch
    {
        NpgsqlException n => db.Translate(n),
        // Npgsql reports a connection broken under a command this way.
        InvalidOperationException => new Core.StoreUnavailableException($"The database connection failed: {e.Message}", e),
        _ => null,
    };
}
