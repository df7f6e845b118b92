using CometChat.Core;
using Dapper;
using Microsoft.Data.Sqlite;

namespace CometChat.Storage;

/// <summary><see cref="IMessageStore"/> and <see cref="IUserStore"/> over one SQLite file; the reads are <see cref="SqlReadStore"/>'s.</summary>
internal sealed class SqliteMessageStore(SqliteDatabase db) : SqlReadStore, IMessageStore, IUserStore, IConversationStore, IDisposable
{
    private readonly SqliteWriterConnection _writer = new(db, db.BusyTimeoutSeconds);

    public long Initialize()
    {
        db.Migrate();
        using var c = db.Open();
        return c.ExecuteScalar<long?>("SELECT MAX(mid) FROM messages") ?? 0;
    }

    public long CountMessages()
    {
        using var c = db.Open();
        return c.ExecuteScalar<long>("SELECT COUNT(*) FROM messages");
    }

    public IWriteTransaction BeginWrite(IReadOnlyCollection<(string User, string Sender)>? addressed = null) => new SqlWriteTransaction(_writer, addressed);

    protected override string SearchMatch => "message_search s JOIN messages m ON m.mid = s.rowid WHERE message_search MATCH @q AND s.rowid < @before";

    protected override string SearchOrder => "ORDER BY s.rowid DESC";

    // One FTS5 phrase: the tokens are ASCII letters, so nothing in them needs quoting.
    protected override string SearchText(SearchQuery query) => "\"" + string.Join(' ', query.Tokens) + "\"";

    public void Dispose() => _writer.Dispose();

    public string GetOrAddSetting(string key, string value)
    {
        try
        {
            using var c = db.OpenWriter();
            c.Execute("INSERT OR IGNORE INTO settings (key, value) VALUES (@key, @value)", new { key, value });
            return c.ExecuteScalar<string>("SELECT value FROM settings WHERE key = @key", new { key })!;
        }
        catch (SqliteException e) { throw SqliteDatabase.Translate(e); }
    }

    protected override IReadOnlyList<T> Query<T>(string sql, object? args)
    {
        try
        {
            using var c = db.Open();
            return c.Query<T>(sql, args).AsList();
        }
        catch (SqliteException e) { throw SqliteDatabase.Translate(e); }
    }

    protected override async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? args, CancellationToken ct)
    {
        try
        {
            await using var c = db.Open();
            var rows = await c.QueryAsync<T>(new CommandDefinition(sql, args, cancellationToken: ct));
            return rows.AsList();
        }
        catch (SqliteException e) { throw SqliteDatabase.Translate(e); }
    }
}
