using System.Data.Common;

namespace CometChat.Storage;

/// <summary>
/// The writer's one long-lived connection and its commands, kept across batches by SQL text (SQLite keeps a
/// command's prepared statement while its text is unchanged; Npgsql auto-prepares repeated statements).
/// Only the single writer loop uses it, one transaction at a time. A failed begin, statement or commit resets
/// it, so the next batch starts on a fresh connection: that is how the store heals after a lock, a full disk,
/// a read-only spell or a restarted PostgreSQL. Each engine says how to open, begin and name its failures.
/// </summary>
internal abstract class SqlWriterConnection : IDisposable
{
    private readonly Dictionary<string, DbCommand> _commands = new(StringComparer.Ordinal);
    private DbConnection? _connection;

    protected abstract DbConnection Open();

    /// <summary>
    /// Starts the batch's transaction, and whatever the engine needs to order mids across writers and to spare the
    /// batch round trips (see <see cref="BatchStart"/>); <paramref name="addressed"/>: the batch's direct-send checks.
    /// </summary>
    protected abstract BatchStart Begin(DbConnection connection, IReadOnlyCollection<(string User, string Sender)>? addressed);

    /// <summary>
    /// True when the transaction may queue writes whose results it does not read (and savepoint commands) and send
    /// them with its next read or before its commit, in one round trip (<see cref="Batch"/>). Off for SQLite: it runs
    /// in-process, so a statement costs no round trip.
    /// </summary>
    public virtual bool Pipelines => false;

    /// <summary>
    /// A read of <c>@count</c> new mids in ascending order, when the engine lets a batch reserve them (so a message's
    /// insert needs no answer and can be queued); null: each insert returns its mid (SQLite, where that costs nothing).
    /// </summary>
    public virtual string? ReserveMidsSql => null;

    /// <summary>Seconds a statement may wait (for a lock) before it fails as a 503.</summary>
    protected abstract int CommandTimeoutSeconds { get; }

    /// <summary>Adds message <c>@mid</c>'s tokens <c>@grams</c> (SearchGrams) to the search index.</summary>
    public abstract string SearchInsertSql { get; }

    /// <summary>Removes message <c>@mid</c> from the search index, leaving no trace of its tokens.</summary>
    public abstract string SearchDeleteSql { get; }

    /// <summary>Runs after a commit that erased a body (a recall): whatever the engine must do so no copy of it stays on disk.</summary>
    public virtual void AfterErase() { }

    /// <summary>The engine's failure as the core's 503, or null when <paramref name="e"/> is not the engine's.</summary>
    public abstract Core.StoreUnavailableException? Translate(Exception e);

    public DbConnection Connection => _connection ??= Open();

    public BatchStart Begin(IReadOnlyCollection<(string User, string Sender)>? addressed) => Begin(Connection, addressed);

    /// <summary>After each commit, before anything is acknowledged: throws a 503 when what was committed cannot be trusted to last.</summary>
    public virtual void Committed() { }

    public DbCommand Command(string sql, DbTransaction tx)
    {
        if (!_commands.TryGetValue(sql, out var cmd))
        {
            cmd = Connection.CreateCommand();
            cmd.CommandText = sql;
            cmd.CommandTimeout = CommandTimeoutSeconds;
            _commands[sql] = cmd;
        }
        cmd.Transaction = tx;
        return cmd;
    }

    /// <summary>An empty batch of statements in <paramref name="tx"/> (engines that pipeline).</summary>
    public DbBatch Batch(DbTransaction tx)
    {
        var batch = Connection.CreateBatch();
        batch.Transaction = tx;
        batch.Timeout = CommandTimeoutSeconds;
        return batch;
    }

    public void Reset()
    {
        foreach (var cmd in _commands.Values) cmd.Dispose();
        _commands.Clear();
        try { _connection?.Dispose(); }
        catch (Exception e) when (Translate(e) is not null) { } // already broken: nothing to close cleanly
        _connection = null;
    }

    public void Dispose() => Reset();
}

/// <summary>
/// A write batch's transaction as it began. <paramref name="After"/>: on a shared store, the highest mid committed before
/// it (see <see cref="Core.IWriteTransaction.After"/>). <paramref name="Addressable"/>: of the batch's (recipient, sender)
/// pairs, those whose recipient exists, each with whether they block the sender, when the engine read them at the start
/// (null: each check is its own read). <paramref name="Mids"/>: mids reserved for the batch's messages, ascending (null:
/// each insert returns its own).
/// </summary>
internal sealed record BatchStart(DbTransaction Transaction, long? After = null,
    IReadOnlyDictionary<(string User, string Sender), bool>? Addressable = null, IReadOnlyList<long>? Mids = null);
