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

    public SqlWriteTransaction(SqlWriterConnection writer)
    {
        _w = writer;
        try { _tx = writer.Begin(); }
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
    public IReadOnlyList<Appended> Changed => _changed;

    public void Savepoint()
    {
        Exec(SavepointSql);
        _mark = _appended.Count;
        _changedMark = _changed.Count;
    }

    public void ReleaseSavepoint() => Exec(ReleaseSql);

    public void RollbackToSavepoint()
    {
        Exec(RollbackToSql);
        Exec(ReleaseSql);
        _appended.RemoveRange(_mark, _appended.Count - _mark);
        _changed.RemoveRange(_changedMark, _changed.Count - _changedMark);
    }

    public void Commit()
    {
        Run(() => { _tx.Commit(); return true; });
        _committed = true;
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
