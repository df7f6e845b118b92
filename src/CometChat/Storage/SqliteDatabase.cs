using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace CometChat.Storage;

/// <summary>Connections, PRAGMAs and schema migrations of the SQLite file.</summary>
internal sealed partial class SqliteDatabase
{
    private readonly ILogger<SqliteDatabase> _log;
    private readonly string _connectionString, _writerConnectionString;
    private readonly int _busyTimeoutMs;

    public SqliteDatabase(IOptions<ChatOptions> options, ILogger<SqliteDatabase> log)
    {
        _log = log;
        Path = System.IO.Path.GetFullPath(options.Value.Database);
        _busyTimeoutMs = options.Value.DatabaseBusyTimeoutSeconds * 1000;
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Pooling = true,
            DefaultTimeout = options.Value.DatabaseBusyTimeoutSeconds, // Microsoft.Data.Sqlite retries SQLITE_BUSY until then
        };
        // Readers never write, so they skip the foreign_keys PRAGMA that Microsoft.Data.Sqlite would run on every open.
        _connectionString = builder.ToString();
        builder.ForeignKeys = true;
        _writerConnectionString = builder.ToString();
    }

    public string Path { get; }

    public int BusyTimeoutSeconds => _busyTimeoutMs / 1000;

    /// <summary>
    /// Set once the file the server writes is found not to be the file at <see cref="Path"/> any more (deleted,
    /// moved or replaced under it): from then on every read and write answers 503 and nothing is acknowledged,
    /// until an operator restores the file and restarts the server. Opening the path again would create an
    /// empty database and hand out mids the restored one already has.
    /// </summary>
    public string? Lost { get; private set; }

    /// <summary>
    /// Before each write batch and after its commit: latches <see cref="Lost"/> and throws when the writer's file is
    /// no longer the path's (checked before, so nothing is written to a lost file; after, for a loss during the batch).
    /// </summary>
    public void VerifyIdentity(SqliteConnection writer, bool committed)
    {
        if (Lost is null && SqliteFileIdentity.Problem(writer, Path, committed) is { } problem)
        {
            Lost = problem + " Nothing more is acknowledged: restore the file (or remove it to start empty) and restart the server.";
            LogFileLost(_log, Lost);
            ClearPools(); // pooled readers hold the lost file too
        }
        ThrowIfLost();
    }

    private void ClearPools()
    {
        foreach (var cs in new[] { _connectionString, _writerConnectionString })
        {
            using var c = new SqliteConnection(cs);
            SqliteConnection.ClearPool(c);
        }
    }

    public void ThrowIfLost()
    {
        if (Lost is { } lost) throw new Core.StoreUnavailableException(lost);
    }

    public SqliteConnection Open()
    {
        ThrowIfLost();
        var c = new SqliteConnection(_connectionString);
        c.Open();
        return c;
    }

    /// <summary>
    /// The writer's connection. synchronous=FULL: a commit is on disk before any send is acknowledged,
    /// so even power loss keeps every acknowledged message (NORMAL would risk the last commits).
    /// </summary>
    public SqliteConnection OpenWriter()
    {
        ThrowIfLost();
        var c = new SqliteConnection(_writerConnectionString);
        c.Open();
        // A 32 MiB page cache: room fan-out touches one inbox page per member. secure_delete: a recalled body is
        // overwritten with zeros in the file, not merely unlinked.
        c.Execute($"PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout={_busyTimeoutMs}; PRAGMA cache_size=-32768; PRAGMA secure_delete=ON;");
        return c;
    }

    public void Migrate()
    {
        // Connections pooled by an earlier server in this process may hold a file since replaced at this path.
        ClearPools();
        var dir = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        using var c = OpenWriter();
        var version = c.ExecuteScalar<long>("PRAGMA user_version");
        foreach (var (target, sql) in SchemaScript.Migrations("CometChat.Schema.sql"))
        {
            if (target <= version) continue;
            using var tx = c.BeginTransaction();
            c.Execute(sql, transaction: tx);
            if (SearchBackfill.Needed(sql)) SearchBackfill.Run(c, tx, new SqliteWriterConnection(this, BusyTimeoutSeconds).SearchInsertSql);
            c.Execute($"PRAGMA user_version = {target}", transaction: tx);
            tx.Commit();
        }
    }

    /// <summary>Maps SQLite's "cannot serve now" failures to the core's 503.</summary>
    public static Core.StoreUnavailableException Translate(SqliteException e) => e.SqliteErrorCode switch
    {
        5 or 6 => new Core.StoreUnavailableException("The database is locked by another process.", e),
        8 => new Core.StoreUnavailableException("The database is read-only.", e),
        10 => new Core.StoreUnavailableException("The database had an I/O error.", e),
        13 => new Core.StoreUnavailableException("The database disk is full.", e),
        14 => new Core.StoreUnavailableException("The database file cannot be opened.", e),
        _ => new Core.StoreUnavailableException($"The database failed: {e.Message}", e),
    };

    [LoggerMessage(1, LogLevel.Critical, "{Problem}")]
    private static partial void LogFileLost(ILogger logger, string problem);
}
