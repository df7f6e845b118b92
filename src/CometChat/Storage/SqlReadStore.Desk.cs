using CometChat.Core;

namespace CometChat.Storage;

/// <summary>The desk's reads (<see cref="IDeskStore"/>), in SQL both engines accept, like the rest of <see cref="SqlReadStore"/>.</summary>
internal abstract partial class SqlReadStore : IDeskStore
{
    private const string DeskColumns = SqlDeskWrites.DeskSessionColumns;

    // Unread: the customer's text messages after the last thing an agent did in the session (a reply, a note,
    // or a read receipt). Last: the newest message of the session other than a receipt.
    private const string SummaryColumns =
        "s.sid AS Sid, (SELECT count(*) FROM messages m WHERE m.sid = s.sid AND m.sender = s.customer AND m.kind = 'text' AND m.mid > " +
        "COALESCE((SELECT max(CASE WHEN r.kind = 'receipt' THEN r.ref ELSE r.mid END) FROM messages r WHERE r.sid = s.sid " +
        "AND r.sender <> s.customer AND r.sender <> '@support' AND (r.kind IN ('text', 'note') OR (r.kind = 'receipt' AND r.body = 'read'))), 0)) AS Unread, " +
        "(SELECT max(m.mid) FROM messages m WHERE m.sid = s.sid AND m.kind <> 'receipt') AS LastMid";

    public async Task<DeskSession?> GetDeskSessionAsync(long sid, CancellationToken ct) =>
        (await QueryAsync<DeskSession>($"SELECT {DeskColumns} FROM support_sessions WHERE sid = @sid", new { sid }, ct)).FirstOrNull();

    public Task<IReadOnlyList<DeskSession>> QueueAsync(CancellationToken ct) =>
        QueryAsync<DeskSession>($"SELECT {DeskColumns} FROM support_sessions WHERE agent IS NULL AND closed_at IS NULL ORDER BY sid", null, ct);

    public async Task<DeskSession?> LatestSessionOfAsync(string customer, CancellationToken ct) =>
        (await QueryAsync<DeskSession>($"SELECT {DeskColumns} FROM support_sessions WHERE customer = @customer ORDER BY sid DESC LIMIT 1",
            new { customer }, ct)).FirstOrNull();

    public async Task<IReadOnlyList<DeskSessionSummary>> ListSessionsAsync(bool open, string? agent, long before, int limit, CancellationToken ct)
    {
        var sql = $"SELECT {DeskColumns} FROM support_sessions WHERE sid < @before AND closed_at IS {(open ? "" : "NOT ")}NULL" +
            (agent is null ? "" : " AND agent = @agent") + " ORDER BY sid DESC LIMIT @limit";
        return await SummariesAsync(await QueryAsync<DeskSession>(sql, new { before, agent, limit }, ct), ct);
    }

    public async Task<DeskSessionSummary?> SummaryAsync(long sid, CancellationToken ct) =>
        await GetDeskSessionAsync(sid, ct) is { } s ? (await SummariesAsync([s], ct))[0] : null;

    private async Task<IReadOnlyList<DeskSessionSummary>> SummariesAsync(IReadOnlyList<DeskSession> sessions, CancellationToken ct)
    {
        if (sessions.Count == 0) return [];
        // The lists are numbers from the store, written inline: Dapper expands "IN @list" on SQLite but hands
        // Npgsql an array, which PostgreSQL takes only as "= ANY(...)".
        var sids = string.Join(',', sessions.Select(s => s.Sid));
        var rows = (await QueryAsync<(long Sid, long Unread, long? LastMid)>(
            $"SELECT {SummaryColumns} FROM support_sessions s WHERE s.sid IN ({sids})", null, ct)).ToDictionary(r => r.Sid);
        var mids = string.Join(',', rows.Values.Where(r => r.LastMid is not null).Select(r => r.LastMid!.Value));
        var last = mids.Length == 0 ? new Dictionary<long, Message>()
            : (await QueryAsync<Message>($"SELECT {MessageColumns} FROM messages m WHERE m.mid IN ({mids})", null, ct)).ToDictionary(m => m.Mid);
        return [.. sessions.Select(s =>
        {
            var r = rows.GetValueOrDefault(s.Sid);
            return new DeskSessionSummary(s, (int)r.Unread, r.LastMid is { } mid ? last.GetValueOrDefault(mid) : null);
        })];
    }

    public Task<IReadOnlyList<Message>> SessionMessagesAsync(long sid, bool notes, CancellationToken ct) =>
        QueryAsync<Message>(
            $"SELECT {MessageColumns} FROM messages m WHERE m.sid = @sid AND m.kind <> 'receipt'{(notes ? "" : " AND m.kind <> 'note'")} ORDER BY m.mid",
            new { sid }, ct);

    public async Task<bool> IsParticipantAsync(long sid, string user, CancellationToken ct) =>
        (await QueryAsync<long>(
            "SELECT count(*) FROM inbox i JOIN messages m ON m.mid = i.mid WHERE m.sid = @sid AND i.\"user\" = @user", new { sid, user }, ct))[0] > 0;

    public Task<IReadOnlyList<long>> RecentWaitsAsync(int count, CancellationToken ct) =>
        QueryAsync<long>(
            "SELECT assigned_at - opened_at FROM support_sessions WHERE assigned_at IS NOT NULL ORDER BY assigned_at DESC LIMIT @count",
            new { count }, ct);

    public async Task<IReadOnlyDictionary<string, int>> OpenLoadAsync(CancellationToken ct) =>
        (await QueryAsync<(string Agent, long Count)>(
            "SELECT agent, count(*) FROM support_sessions WHERE agent IS NOT NULL AND closed_at IS NULL GROUP BY agent", null, ct))
        .ToDictionary(r => r.Agent, r => (int)r.Count, StringComparer.Ordinal);

    public async Task<IReadOnlySet<string>> AwayAgentsAsync(CancellationToken ct) =>
        (await QueryAsync<string>("SELECT agent FROM support_agents WHERE away = 1", null, ct)).ToHashSet(StringComparer.Ordinal);

    public Task<IReadOnlyList<CannedResponse>> CannedAsync(CancellationToken ct) =>
        QueryAsync<CannedResponse>(
            "SELECT shortcut AS Shortcut, body AS Body, updated_by AS UpdatedBy, updated_at AS UpdatedAt FROM support_canned ORDER BY shortcut", null, ct);

    public Task<IReadOnlyList<DeskSession>> SessionsOpenedAsync(long from, long to, CancellationToken ct) =>
        QueryAsync<DeskSession>($"SELECT {DeskColumns} FROM support_sessions WHERE opened_at >= @from AND opened_at < @to ORDER BY sid", new { from, to }, ct);

    public Task<IReadOnlyList<OutboxItem>> PendingOutboxAsync(int limit, CancellationToken ct) =>
        QueryAsync<OutboxItem>($"SELECT {SqlDeskWrites.OutboxColumns} FROM desk_outbox WHERE done_at IS NULL ORDER BY id LIMIT @limit", new { limit }, ct);
}
