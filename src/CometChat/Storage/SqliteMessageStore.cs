using CometChat.Core;
using Dapper;
using Microsoft.Data.Sqlite;

namespace CometChat.Storage;

/// <summary>The SQL of <see cref="IMessageStore"/> and <see cref="IUserStore"/> over one SQLite file.</summary>
internal sealed class SqliteMessageStore(SqliteDatabase db) : IMessageStore, IUserStore, IDisposable
{
    private readonly SqliteWriterConnection _writer = new(db);

    // Column order matches Message's constructor, which Dapper binds by position and type.
    internal const string MessageColumns =
        "m.mid AS Mid, m.id AS Id, m.sender AS \"From\", m.recipient AS \"To\", m.kind AS Kind, m.body AS Body, " +
        "m.sent_at AS SentAt, m.ref AS Ref, m.sid AS Sid, m.client AS Client";

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

    public Task<IReadOnlyList<Message>> ReadFeedAsync(string user, long after, int limit, CancellationToken ct) =>
        QueryAsync<Message>(
            $"SELECT {MessageColumns} FROM inbox i JOIN messages m ON m.mid = i.mid " +
            "WHERE i.user = @user AND i.mid > @after ORDER BY i.mid LIMIT @limit",
            new { user, after, limit }, ct);

    public Task<IReadOnlyList<Message>> ReadConversationAsync(string conversation, long before, int limit, CancellationToken ct) =>
        QueryAsync<Message>(
            $"SELECT {MessageColumns} FROM messages m WHERE m.conversation = @conversation AND m.mid < @before " +
            "AND m.kind <> 'receipt' ORDER BY m.mid DESC LIMIT @limit",
            new { conversation, before, limit }, ct);

    public async Task<Message?> GetAsync(long mid, CancellationToken ct) =>
        (await QueryAsync<Message>($"SELECT {MessageColumns} FROM messages m WHERE m.mid = @mid", new { mid }, ct)).FirstOrNull();

    public IWriteTransaction BeginWrite() => new SqliteWriteTransaction(_writer);

    public void Dispose() => _writer.Dispose();

    public async Task<UserRecord?> GetUserAsync(string name, CancellationToken ct) =>
        (await QueryAsync<UserRecord>(
            "SELECT name AS Name, password_hash AS PasswordHash, created_at AS CreatedAt FROM users WHERE name = @name",
            new { name }, ct)).FirstOrNull();

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

    public Task<IReadOnlyList<RoomInfo>> ListRoomsAsync(CancellationToken ct) =>
        QueryAsync<RoomInfo>(
            "SELECT r.name AS Name, (SELECT COUNT(*) FROM members WHERE room = r.name) AS Members FROM rooms r ORDER BY r.name",
            null, ct);

    public Task<IReadOnlyList<string>> RoomMembersAsync(string room, CancellationToken ct) =>
        QueryAsync<string>("SELECT user FROM members WHERE room = @room ORDER BY user", new { room }, ct);

    public async Task<bool> RoomExistsAsync(string room, CancellationToken ct) =>
        (await QueryAsync<long>("SELECT 1 FROM rooms WHERE name = @room", new { room }, ct)).Count > 0;

    public async Task<bool> IsMemberAsync(string room, string user, CancellationToken ct) =>
        (await QueryAsync<long>("SELECT 1 FROM members WHERE room = @room AND user = @user", new { room, user }, ct)).Count > 0;

    public async Task<SupportSession?> GetSessionAsync(long sid, CancellationToken ct) =>
        (await QueryAsync<SupportSession>(
            "SELECT sid AS Sid, customer AS Customer, agent AS Agent, opened_at AS OpenedAt, closed_at AS ClosedAt " +
            "FROM support_sessions WHERE sid = @sid", new { sid }, ct)).FirstOrNull();

    private async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? args, CancellationToken ct)
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

internal static class ListExtensions
{
    public static T? FirstOrNull<T>(this IReadOnlyList<T> list) where T : class => list.Count > 0 ? list[0] : null;
}
