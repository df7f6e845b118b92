using Npgsql;

namespace CometChat.Storage.Postgres;

/// <summary>
/// The writer's one long-lived connection (the single writer loop uses it one transaction at a time).
/// A failed batch drops it, so the next batch starts on a fresh one: that is how a node heals after
/// PostgreSQL restarts or its connections are killed.
/// </summary>
internal sealed class PostgresWriterConnection(PostgresDatabase db) : IDisposable
{
    private NpgsqlConnection? _connection;

    public PostgresDatabase Database => db;

    public NpgsqlConnection Connection => _connection ??= db.Open();

    public void Reset()
    {
        try { _connection?.Dispose(); }
        catch (NpgsqlException) { } // already broken: nothing to close cleanly
        _connection = null;
    }

    public void Dispose() => Reset();
}
