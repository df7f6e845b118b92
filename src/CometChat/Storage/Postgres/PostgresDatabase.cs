using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CometChat.Storage.Postgres;

/// <summary>The connection pool (an <see cref="NpgsqlDataSource"/>), schema migrations and error mapping of Chat:Store=postgres.</summary>
internal sealed class PostgresDatabase : IDisposable
{
    /// <summary>Taken by every write transaction before its first nextval and held to its commit: one global mid order.</summary>
    public const long WriteLock = 0x436f_6d65_7443_6861; // "CometCha"
    private const long MigrationLock = WriteLock + 1;

    private readonly NpgsqlDataSource _source;

    public PostgresDatabase(IConfiguration config, IOptions<ChatOptions> options)
    {
        var connectionString = config.GetConnectionString("Postgres");
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new InvalidOperationException("Chat:Store is 'postgres' but ConnectionStrings:Postgres is not set.");
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            // The writer's hot statements run thousands of times: let Npgsql prepare them server-side.
            MaxAutoPrepare = 32,
            AutoPrepareMinUsages = 2,
        };
        // A write that waits longer than this (another node holding the write lock, a stalled server) answers 503.
        WriteTimeoutSeconds = options.Value.DatabaseBusyTimeoutSeconds;
        _source = new NpgsqlDataSourceBuilder(builder.ConnectionString).Build();
        Description = $"{builder.Host}:{builder.Port}/{builder.Database}";
    }

    public string Description { get; }
    public int WriteTimeoutSeconds { get; }

    /// <summary>
    /// Off only in tests that show what the write lock prevents (a reader skipping a mid committed late).
    /// Never turn it off in a deployment of more than one node.
    /// </summary>
    public bool SerializeWrites { get; set; } = true;

    public NpgsqlConnection Open() => _source.OpenConnection();

    public ValueTask<NpgsqlConnection> OpenAsync(CancellationToken ct) => _source.OpenConnectionAsync(ct);

    /// <summary>Creates or migrates the schema; nodes starting together take turns on a session advisory lock.</summary>
    public void Migrate()
    {
        try
        {
            using var c = Open();
            c.Execute("SELECT pg_advisory_lock(@MigrationLock)", new { MigrationLock });
            try
            {
                c.Execute("CREATE TABLE IF NOT EXISTS schema_version (version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())");
                var version = c.ExecuteScalar<int?>("SELECT max(version) FROM schema_version") ?? 0;
                foreach (var (target, sql) in SchemaScript.Migrations("CometChat.Postgres.Schema.sql"))
                {
                    if (target <= version) continue;
                    using var tx = c.BeginTransaction();
                    c.Execute(sql, transaction: tx);
                    if (SearchBackfill.Needed(sql)) SearchBackfill.Run(c, tx, new PostgresWriterConnection(this).SearchInsertSql);
                    c.Execute("INSERT INTO schema_version (version) VALUES (@target)", new { target }, tx);
                    tx.Commit();
                }
            }
            finally
            {
                c.Execute("SELECT pg_advisory_unlock(@MigrationLock)", new { MigrationLock });
            }
        }
        catch (NpgsqlException e) { throw Translate(e); }
    }

    /// <summary>
    /// Every PostgreSQL failure is a 503 the client may retry (as SQLite faults are). After a lost connection
    /// the pool is cleared, so the next request opens fresh connections instead of meeting dead ones one by one.
    /// </summary>
    public Core.StoreUnavailableException Translate(NpgsqlException e)
    {
        if (e is not PostgresException pg || pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState.StartsWith("57P", StringComparison.Ordinal))
            _source.Clear();
        return new Core.StoreUnavailableException($"The database ({Description}) failed: {e.Message}", e);
    }

    public void Dispose() => _source.Dispose();
}
