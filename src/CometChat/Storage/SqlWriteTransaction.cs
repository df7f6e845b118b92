using System.Data.Common;
using CometChat.Core;

namespace CometChat.Storage;

/// <summary>
/// The writer's transaction, in SQL that SQLite and PostgreSQL both accept ("user" quoted, ON CONFLICT,
/// RETURNING), as the reads are (<see cref="SqlReadStore"/>). Every statement goes through one cached command
/// per SQL text. Synchronous on purpose: it runs on the single writer loop. The engine's connection supplies
/// how to begin (PostgreSQL takes the cluster-wide write lock first) and how its failures become a 503.
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
    // Savepoint commands not sent yet (engines that bundle them): they go in front of the item's first statement.
    private bool _savepointDue, _releaseDue;

    public SqlWriteTransaction(SqlWriterConnection writer)
    {
        _w = writer;
        try { _tx = writer.Begin(out var after); After = after; }
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
        if (_w.BundlesSavepoints) _savepointDue = true;
        else Exec(SavepointSql);
    }

    public void ReleaseSavepoint()
    {
        if (!_w.BundlesSavepoints) Exec(ReleaseSql);
        else if (_savepointDue) _savepointDue = false; // the item ran no statement: there is nothing to release
        else _releaseDue = true; // sent with the next item's first statement, or made moot by the commit
    }

    public void RollbackToSavepoint()
    {
        _appended.RemoveRange(_mark, _appended.Count - _mark);
        _changed.RemoveRange(_changedMark, _changed.Count - _changedMark);
        if (_savepointDue) { _savepointDue = false; return; } // the item ran no statement: nothing to undo
        Exec(RollbackToSql);
        Exec(ReleaseSql);
    }

    public void Commit()
    {
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

    /// <summary>The savepoint commands not sent yet, as one text (cleared), or null.</summary>
    private string? TakeDueSavepoint()
    {
        var due = (_releaseDue, _savepointDue) switch
        {
            (true, true) => ReleaseSql + ";" + SavepointSql,
            (false, true) => SavepointSql,
            (true, false) => ReleaseSql,
            _ => null,
        };
        _savepointDue = _releaseDue = false;
        return due;
    }

    /// <summary>Sends the due savepoint commands now: before a write that does not go through <see cref="Command"/>.</summary>
    private void SendDueSavepoint()
    {
        if (TakeDueSavepoint() is { } due) Run(_w.Command(due, _tx).ExecuteNonQuery);
    }

    /// <summary>Binds <paramref name="args"/> by name to the cached command of <paramref name="sql"/>.</summary>
    private DbCommand Command(string sql, ReadOnlySpan<(string Name, object? Value)> args)
    {
        if (TakeDueSavepoint() is { } due) sql = due + ";" + sql;
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

    private int Exec(string sql, params ReadOnlySpan<(string, object?)> args)
    {
        var cmd = Command(sql, args);
        return Run(cmd.ExecuteNonQuery);
    }

    private object? Scalar(string sql, params ReadOnlySpan<(string, object?)> args)
    {
        var cmd = Command(sql, args);
        return Run(() => cmd.ExecuteScalar() is var v && v is DBNull ? null : v);
    }

    private bool Exists(string sql, params ReadOnlySpan<(string, object?)> args) => Scalar(sql, args) is not null;

    private List<T> Rows<T>(string sql, Func<DbDataReader, T> map, params ReadOnlySpan<(string, object?)> args)
    {
        var cmd = Command(sql, args);
        return Run(() =>
        {
            using var r = cmd.ExecuteReader();
            var list = new List<T>();
            while (r.Read()) list.Add(map(r));
            return list;
        });
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
