using Npgsql;

namespace CometChat.Tests.Infrastructure;

/// <summary>
/// One store that several servers started one after another use (a restart with other settings): a temp folder
/// for the SQLite file, and on PostgreSQL a database of its own that outlives each server.
/// </summary>
internal sealed class SharedStore : IAsyncDisposable
{
    private readonly PostgresTestDatabase? _postgres;

    private SharedStore(Dictionary<string, string?> settings, PostgresTestDatabase? postgres)
    {
        Settings = settings;
        _postgres = postgres;
    }

    public TempDirectory Directory { get; } = new();
    public Dictionary<string, string?> Settings { get; }

    public static async Task<SharedStore> CreateAsync(Dictionary<string, string?> backend)
    {
        if (backend.GetValueOrDefault("Chat:Store") != "postgres") return new SharedStore(backend, null);
        var db = await PostgresTestDatabase.CreateAsync();
        return new SharedStore(backend.With(new() { ["ConnectionStrings:Postgres"] = db.ConnectionString }), db);
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null) await _postgres.DisposeAsync();
        Directory.Dispose();
        NpgsqlConnection.ClearAllPools();
    }
}
