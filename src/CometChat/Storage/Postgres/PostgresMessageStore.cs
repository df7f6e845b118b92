using CometChat.Core;
using Dapper;
using Npgsql;

namespace CometChat.Storage.Postgres;

/// <summary><see cref="IMessageStore"/> and <see cref="IUserStore"/> over PostgreSQL, shared by every node; the reads are <see cref="SqlReadStore"/>'s.</summary>
internal sealed class PostgresMessageStore(PostgresDatabase db) : SqlReadStore, IMessageStore, IUserStore, IConversationStore, IDisposable
{
    private readonly PostgresWriterConnection _writer = new(db);

    public long Initialize()
    {
        db.Migrate();
        return Scalar<long?>("SELECT max(mid) FROM messages") ?? 0;
    }

    public long CountMessages() => Scalar<long>("SELECT count(*) FROM messages");

    public IWriteTransaction BeginWrite(IReadOnlyCollection<(string User, string Sender)>? addressed = null) => new SqlWriteTransaction(_writer, addressed);

    protected override string SearchMatch => "message_search s JOIN messages m ON m.mid = s.mid WHERE s.grams @@ to_tsquery('simple', @q) AND s.mid < @before";

    protected override string SearchOrder => "ORDER BY s.mid DESC";

    // A phrase: each token right after the one before (<->).
    protected override string SearchText(SearchQuery query) => string.Join(" <-> ", query.Tokens);

    public void Dispose() => _writer.Dispose();

    public string GetOrAddSetting(string key, string value)
    {
        try
        {
            using var c = db.Open();
            c.Execute("INSERT INTO settings (key, value) VALUES (@key, @value) ON CONFLICT (key) DO NOTHING", new { key, value });
            return c.ExecuteScalar<string>("SELECT value FROM settings WHERE key = @key", new { key })!;
        }
        catch (NpgsqlException e) { throw db.Translate(e); }
    }

    private T Scalar<T>(string sql)
    {
        try
        {
            using var c = db.Open();
            return c.ExecuteScalar<T>(sql)!;
        }
        catch (NpgsqlException e) { throw db.Translate(e); }
    }

    protected override IReadOnlyList<T> Query<T>(string sql, object? args)
    {
        try
        {
            using var c = db.Open();
            return c.Query<T>(sql, args).AsList();
        }
        catch (NpgsqlException e) { throw db.Translate(e); }
    }

    protected override async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? args, CancellationToken ct)
    {
        try
        {
            await using var c = await db.OpenAsync(ct);
            var rows = await c.QueryAsync<T>(new CommandDefinition(sql, args, cancellationToken: ct));
            return rows.AsList();
        }
        catch (NpgsqlException e) { throw db.Translate(e); }
    }
}
