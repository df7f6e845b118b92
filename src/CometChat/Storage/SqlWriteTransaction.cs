using System.Data.Common;
using CometChat.Core;

namespace CometChat.Storage;

/// <summary>
/// The writer's transaction, in SQL that SQLite and PostgreSQL both accept ("user" quoted, ON CONFLICT,
/// RETURNING), as the reads are (<see cref="SqlReadStore"/>). On SQLite every statement runs at once through one
/// cached command per SQL text; on PostgreSQL the writes whose results nobody reads are queued and sent together
/// (see <c>_queued</c>). Synchronous on purpose: it runs on the single writer loop. The engine's connection supplies
/// how to begin (PostgreSQL takes the cluster-wide write lock first, with the batch's checks and mids) and how its
/// failures become a 503.
/// </summary>
internal sealed partial class SqlWriteTransaction : IWriteTransaction, IMessageWrites, IUserWrites, IRoomWrites, ISupportWrites, IReadMarkerWrites, IFileWrites
{
    private const string SavepointSql = "SAVEPOINT item", ReleaseSql = "RELEASE item", RollbackToSql = "ROLLBACK TO item";
    private readonly SqlWriterConnection _w;
    private readonly DbTransaction _tx;
    private readonly List<Appended> _appended = [];
    private readonly List<Appended> _changed = [];
    private int _mark, _changedMark;
    private bool _committed, _erased;
    // Engines that pipeline (PostgreSQL): the writes whose results nobody reads and the savepoint commands, not sent
    // yet, in order. They travel in one round trip with the next statement whose result is read, or before the commit.
    // A queued write that fails fails the whole batch, as it would have when sent at once: only ChatException rejects
    // one item, and no write raises it.
    private readonly List<(string Sql, (string, object?)[] Args)> _queued = [];
    private int _queuedSavepoint = -1; // where the item's SAVEPOINT sits in _queued while not sent, else -1
    private readonly Queue<long> _reserved = new(); // mids reserved for this batch, not used yet (ReserveMidsSql)
    private int _reserve = 1;

    // The batch's direct-send checks read at its start (engines with round trips): existing users only, each with whether
    // they block the sender. Dropped once the batch changes blocks or names; users are never removed, so a user found stays.
    private IReadOnlyDictionary<(string User, string Sender), bool>? _addressed;

    public SqlWriteTransaction(SqlWriterConnection writer, IReadOnlyCollection<(string User, string Sender)>? addressed = null)
    {
        _w = writer;
        try
        {
            var start = writer.Begin(addressed);
            (_tx, After, _addressed) = (start.Transaction, start.After, start.Addressable);
            foreach (var mid in start.Mids ?? []) _reserved.Enqueue(mid);
        }
        catch (Exception e) when (writer.Translate(e) is { } unavailable)
        {
            writer.Reset();
            throw unavailable;
        }
    }

    public IMessageWrites Messages => this;
    public IUserWrites Users => this;
    public IRoomWrites Rooms => this;
    public ISupportWrites Support => this;
    public IReadMarkerWrites ReadMarkers => this;
    public IFileWrites Files => this;
    public IReadOnlyList<Appended> Appended => _appended;
    public long? After { get; }
    public IReadOnlyList<Appended> Changed => _changed;

    public void Savepoint()
    {
        _mark = _appended.Count;
        _changedMark = _changed.Count;
        if (_w.Pipelines) _queuedSavepoint = _queued.Count;
        Exec(SavepointSql);
    }

    public void ReleaseSavepoint()
    {
        // Nothing of the item reached the server while its savepoint waited: no rollback can need it now.
        if (_queuedSavepoint >= 0) _queued.RemoveAt(_queuedSavepoint);
        else Exec(ReleaseSql);
        _queuedSavepoint = -1;
    }

    public void RollbackToSavepoint()
    {
        _appended.RemoveRange(_mark, _appended.Count - _mark);
        _changed.RemoveRange(_changedMark, _changed.Count - _changedMark);
        // Nothing of the item reached the server: drop it unsent.
        if (_queuedSavepoint >= 0) _queued.RemoveRange(_queuedSavepoint, _queued.Count - _queuedSavepoint);
        else
        {
            Exec(RollbackToSql);
            Exec(ReleaseSql);
        }
        _queuedSavepoint = -1;
    }

    public void Commit()
    {
        Flush();
        Run(() => { _tx.Commit(); return true; });
        _committed = true;
        _w.Committed();
        // An erased body must not outlive the commit in the engine's own files (SQLite: the WAL's older page images).
        if (_erased) _w.AfterErase();
    }

    public void Dispose()
    {
        try { _tx.Dispose(); }
        catch (Exception e) when (_w.Translate(e) is not null) { }
        // A batch that failed part-way (full disk, lost connection, timeout) leaves no connection state behind.
        if (!_committed) _w.Reset();
    }

    /// <summary>Sends the queued statements now: before a commit, or a write that does not go through this class.</summary>
    private void Flush()
    {
        if (_queued.Count == 0) return;
        using var batch = Batch(null);
        Run(batch.ExecuteNonQuery);
    }

    /// <summary>The queued statements (then cleared) and <paramref name="sql"/> last, as one batch: one round trip.</summary>
    private DbBatch Batch(string? sql, ReadOnlySpan<(string Name, object? Value)> args = default)
    {
        var batch = _w.Batch(_tx);
        foreach (var (queuedSql, queuedArgs) in _queued) batch.BatchCommands.Add(BatchCommand(batch, queuedSql, queuedArgs));
        if (sql is not null) batch.BatchCommands.Add(BatchCommand(batch, sql, args));
        _queued.Clear();
        _queuedSavepoint = -1;
        return batch;
    }

    private static DbBatchCommand BatchCommand(DbBatch batch, string sql, ReadOnlySpan<(string Name, object? Value)> args)
    {
        var cmd = batch.CreateBatchCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in args)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = name;
            p.Value = value ?? DBNull.Value;
            cmd.Parameters.Add(p);
        }
        return cmd;
    }

    /// <summary>Binds <paramref name="args"/> by name to the cached command of <paramref name="sql"/>.</summary>
    private DbCommand Command(string sql, ReadOnlySpan<(string Name, object? Value)> args)
    {
        var cmd = _w.Command(sql, _tx);
        var ps = cmd.Parameters;
        if (ps.Count != args.Length)
        {
            ps.Clear();
            foreach (var (name, _) in args)
            {
                var p = cmd.CreateParameter();
                // With its prefix: Microsoft.Data.Sqlite looks a bare name up three times (@, $, :) on every execution.
                p.ParameterName = "@" + name;
                ps.Add(p);
            }
        }
        for (var i = 0; i < args.Length; i++) ps[i].Value = args[i].Value ?? DBNull.Value;
        return cmd;
    }

    /// <summary>A write whose result nobody reads: queued on engines that pipeline, else run at once.</summary>
    private void Exec(string sql, params ReadOnlySpan<(string, object?)> args)
    {
        if (_w.Pipelines) _queued.Add((sql, args.ToArray()));
        else Run(Command(sql, args).ExecuteNonQuery);
    }

    /// <summary>A write whose count of changed rows is read: run now (with whatever is queued before it).</summary>
    private int Count(string sql, params ReadOnlySpan<(string, object?)> args)
    {
        if (_queued.Count == 0) return Run(Command(sql, args).ExecuteNonQuery);
        using var batch = Batch(sql, args);
        Run(batch.ExecuteNonQuery); // the sum of every statement's count: this statement's is its own
        return batch.BatchCommands[^1].RecordsAffected;
    }

    private object? Scalar(string sql, params ReadOnlySpan<(string, object?)> args)
    {
        if (_queued.Count == 0)
        {
            var cmd = Command(sql, args);
            return Run(() => cmd.ExecuteScalar() is var v && v is DBNull ? null : v);
        }
        using var batch = Batch(sql, args);
        return Run(() => batch.ExecuteScalar() is var v && v is DBNull ? null : v);
    }

    private bool Exists(string sql, params ReadOnlySpan<(string, object?)> args) => Scalar(sql, args) is not null;

    private List<T> Rows<T>(string sql, Func<DbDataReader, T> map, params ReadOnlySpan<(string, object?)> args)
    {
        // The queued writes return no rows: the reader's first result is the query's.
        DbBatch? batch = _queued.Count > 0 ? Batch(sql, args) : null;
        var cmd = batch is null ? Command(sql, args) : null;
        try
        {
            return Run(() =>
            {
                using var r = batch is not null ? batch.ExecuteReader() : cmd!.ExecuteReader();
                var list = new List<T>();
                while (r.Read()) list.Add(map(r));
                return list;
            });
        }
        finally { batch?.Dispose(); }
    }

    private T? Row<T>(string sql, Func<DbDataReader, T> map, params ReadOnlySpan<(string, object?)> args) where T : class
    {
        var rows = Rows(sql, map, args);
        return rows.Count > 0 ? rows[0] : null;
    }

    private T Run<T>(Func<T> statement)
    {
        try { return statement(); }
        catch (Exception e) when (_w.Translate(e) is { } unavailable) { throw unavailable; }
    }
}
