using System.Data.Common;
using Dapper;
using Npgsql;

namespace CometChat.Storage.Postgres;

/// <summary>
/// The writer's PostgreSQL connection. Each transaction's first statement takes the cluster-wide write lock
/// (<c>pg_advisory_xact_lock</c>), held until commit or rollback, before any nextval: so mids are assigned in
/// commit order across every node, and a reader that has seen mid N can never later meet a mid below N. The same round
/// trip reads the head the batch follows, which every node uses to tell whether it has seen every batch before it, and,
/// for the batch's direct sends, their recipients and blocks and one reserved mid each: so the sends themselves need no
/// round trip inside the lock, and the batch holds it for about four (this one, the rare extra reads, the queued writes,
/// the commit) however many messages it carries.
/// </summary>
internal sealed class PostgresWriterConnection(PostgresDatabase db) : SqlWriterConnection
{
    protected override DbConnection Open() => db.Open();

    // Statements of one round trip: each takes its snapshot when it runs, so what follows the lock sees every batch that
    // committed before the lock was granted.
    private const string LockAndHead = "SELECT pg_advisory_xact_lock(@lock); SELECT max(mid) FROM messages";
    private const string Addressed =
        "; SELECT u.name, p.sender, EXISTS (SELECT 1 FROM blocks b WHERE b.blocker = u.name AND b.blocked = p.sender) " +
        "FROM unnest(@names, @senders) AS p(name, sender) JOIN users u ON u.name = p.name";
    private const string ReserveMids = "SELECT nextval(pg_get_serial_sequence('messages', 'mid')) FROM generate_series(1, @count) ORDER BY 1";

    protected override BatchStart Begin(DbConnection connection, IReadOnlyCollection<(string User, string Sender)>? addressed)
    {
        var c = (NpgsqlConnection)connection;
        var tx = c.BeginTransaction();
        if (!db.SerializeWrites) return new BatchStart(tx, c.ExecuteScalar<long?>("SELECT max(mid) FROM messages", transaction: tx) ?? 0);
        var sends = addressed is { Count: > 0 };
        using var cmd = new NpgsqlCommand(sends ? LockAndHead + Addressed + "; " + ReserveMids : LockAndHead, c, (NpgsqlTransaction)tx) { CommandTimeout = db.WriteTimeoutSeconds };
        cmd.Parameters.AddWithValue("lock", PostgresDatabase.WriteLock);
        if (sends)
        {
            cmd.Parameters.AddWithValue("names", addressed!.Select(a => a.User).ToArray());
            cmd.Parameters.AddWithValue("senders", addressed!.Select(a => a.Sender).ToArray());
            cmd.Parameters.AddWithValue("count", addressed!.Count);
        }
        using var r = cmd.ExecuteReader();
        r.NextResult(); // the lock's void
        r.Read();
        var after = r.IsDBNull(0) ? 0 : r.GetInt64(0);
        if (!sends) return new BatchStart(tx, after);
        r.NextResult();
        var addressable = new Dictionary<(string, string), bool>();
        while (r.Read()) addressable[(r.GetString(0), r.GetString(1))] = r.GetBoolean(2);
        r.NextResult();
        var mids = new List<long>(addressed!.Count);
        while (r.Read()) mids.Add(r.GetInt64(0));
        return new BatchStart(tx, after, addressable, mids);
    }

    protected override int CommandTimeoutSeconds => db.WriteTimeoutSeconds;

    // An NpgsqlBatch is one round trip: every statement queued inside the write lock costs none of its own.
    public override bool Pipelines => true;

    // Under the write lock (taken at begin), so the block follows every mid of the batches before and precedes the next's.
    // Without the lock (tests that show what it prevents) each insert takes its own mid, as before.
    public override string? ReserveMidsSql => db.SerializeWrites ? ReserveMids : null;

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
