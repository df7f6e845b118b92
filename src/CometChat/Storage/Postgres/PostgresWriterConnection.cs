using System.Data.Common;
using Dapper;
using Npgsql;

namespace CometChat.Storage.Postgres;

/// <summary>
/// The writer's PostgreSQL connection. Each transaction's first statement takes the cluster-wide write lock
/// (<c>pg_advisory_xact_lock</c>), held until commit or rollback, before any nextval: so mids are assigned in
/// commit order across every node, and a reader that has seen mid N can never later meet a mid below N.
/// </summary>
internal sealed class PostgresWriterConnection(PostgresDatabase db) : SqlWriterConnection
{
    protected override DbConnection Open() => db.Open();

    protected override DbTransaction Begin(DbConnection connection)
    {
        var c = (NpgsqlConnection)connection;
        var tx = c.BeginTransaction();
        if (db.SerializeWrites)
            c.Execute("SELECT pg_advisory_xact_lock(@WriteLock)", new { PostgresDatabase.WriteLock }, tx, db.WriteTimeoutSeconds);
        return tx;
    }

    protected override int CommandTimeoutSeconds => db.WriteTimeoutSeconds;

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
