using CometChat.Core;

namespace CometChat.Storage;

/// <summary>
/// The reads of <see cref="IMessageStore"/> and <see cref="IUserStore"/>, written once in SQL that SQLite
/// and PostgreSQL both accept ("user" quoted, counts instead of engine-typed literals). Each engine
/// supplies how a query reaches its database and how its failures become a 503.
/// </summary>
internal abstract class SqlReadStore
{
    // Column order matches Message's constructor, which Dapper binds by position and type.
    public const string MessageColumns =
        "m.mid AS Mid, m.id AS Id, m.sender AS \"From\", m.recipient AS \"To\", m.kind AS Kind, m.body AS Body, " +
        "m.sent_at AS SentAt, m.ref AS Ref, m.sid AS Sid, m.client AS Client, m.erased_at AS ErasedAt";

    // Column order matches UserRecord's constructor.
    public const string UserColumns = "name AS Name, password_hash AS PasswordHash, created_at AS CreatedAt, tokens_after AS TokensAfter";

    public const string SessionColumns = "sid AS Sid, customer AS Customer, agent AS Agent, opened_at AS OpenedAt, closed_at AS ClosedAt";

    /// <summary>Runs one read on a pooled connection; engine failures surface as <see cref="StoreUnavailableException"/>.</summary>
    protected abstract Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? args, CancellationToken ct);

    public async Task<long> ReadHeadAsync(CancellationToken ct) =>
        (await QueryAsync<long?>("SELECT max(mid) FROM messages", null, ct))[0] ?? 0;

    public Task<IReadOnlyList<Message>> ReadFeedAsync(string user, long after, int limit, CancellationToken ct) =>
        QueryAsync<Message>(
            $"SELECT {MessageColumns} FROM inbox i JOIN messages m ON m.mid = i.mid " +
            "WHERE i.\"user\" = @user AND i.mid > @after ORDER BY i.mid LIMIT @limit",
            new { user, after, limit }, ct);

    public Task<IReadOnlyList<Message>> ReadConversationAsync(string conversation, long before, int limit, CancellationToken ct) =>
        QueryAsync<Message>(
            $"SELECT {MessageColumns} FROM messages m WHERE m.conversation = @conversation AND m.mid < @before " +
            "AND m.kind <> 'receipt' ORDER BY m.mid DESC LIMIT @limit",
            new { conversation, before, limit }, ct);

    public Task<IReadOnlyList<Message>> ReadSessionAsync(long sid, long before, int limit, CancellationToken ct) =>
        QueryAsync<Message>(
            $"SELECT {MessageColumns} FROM messages m WHERE m.sid = @sid AND m.mid < @before " +
            "AND m.kind <> 'receipt' ORDER BY m.mid DESC LIMIT @limit",
            new { sid, before, limit }, ct);

    public async Task<Message?> GetAsync(long mid, CancellationToken ct) =>
        (await QueryAsync<Message>($"SELECT {MessageColumns} FROM messages m WHERE m.mid = @mid", new { mid }, ct)).FirstOrNull();

    public async Task<UserRecord?> GetUserAsync(string name, CancellationToken ct) =>
        (await QueryAsync<UserRecord>(
            $"SELECT {SqlReadStore.UserColumns} FROM users WHERE name = @name",
            new { name }, ct)).FirstOrNull();

    public async Task<IReadOnlyList<RoomInfo>> ListRoomsAsync(string? after, int limit, string? member, CancellationToken ct)
    {
        // Untyped rows: with no rows SQLite reports the count column as a blob, which Dapper cannot bind to RoomInfo.
        var rows = await QueryAsync<dynamic>(
            "SELECT r.name AS Name, (SELECT count(*) FROM members WHERE room = r.name) AS Members FROM rooms r " +
            (member is null ? "" : "JOIN members mine ON mine.room = r.name AND mine.\"user\" = @member ") +
            "WHERE r.name > @after ORDER BY r.name LIMIT @limit",
            new { after = after ?? "", limit, member }, ct);
        return [.. rows.Select(r => new RoomInfo((string)r.Name, (long)r.Members))];
    }

    public Task<IReadOnlyList<string>> RoomMembersAsync(string room, CancellationToken ct) =>
        QueryAsync<string>("SELECT \"user\" FROM members WHERE room = @room ORDER BY \"user\"", new { room }, ct);

    public async Task<bool> RoomExistsAsync(string room, CancellationToken ct) =>
        (await QueryAsync<long>("SELECT count(*) FROM rooms WHERE name = @room", new { room }, ct))[0] > 0;

    public async Task<bool> IsMemberAsync(string room, string user, CancellationToken ct) =>
        (await QueryAsync<long>("SELECT count(*) FROM members WHERE room = @room AND \"user\" = @user", new { room, user }, ct))[0] > 0;

    public async Task<TokenState> GetTokenStateAsync(string user, string tokenHash, CancellationToken ct) =>
        (await QueryAsync<TokenState>(AccountStatements.TokenStateSql, new { user, tokenHash }, ct))[0];

    public async Task<SupportSession?> GetSessionAsync(long sid, CancellationToken ct) =>
        (await QueryAsync<SupportSession>($"SELECT {SessionColumns} FROM support_sessions WHERE sid = @sid", new { sid }, ct)).FirstOrNull();
}

internal static class ListExtensions
{
    public static T? FirstOrNull<T>(this IReadOnlyList<T> list) where T : class => list.Count > 0 ? list[0] : null;
}
