using System.Data;
using CometChat.Core;
using Dapper;

namespace CometChat.Storage;

/// <summary>
/// The desk's writes (<see cref="IDeskWrites"/>) in SQL that SQLite and PostgreSQL both accept, run on the
/// writer's connection inside its transaction. Engine failures surface as they are: the writer fails the batch.
/// </summary>
internal sealed class SqlDeskWrites(IDbConnection c, IDbTransaction tx) : IDeskWrites
{
    public const string DeskSessionColumns =
        "sid AS Sid, customer AS Customer, agent AS Agent, opened_at AS OpenedAt, closed_at AS ClosedAt, assigned_at AS AssignedAt, " +
        "first_response_at AS FirstResponseAt, first_words AS FirstWords, context AS Context, contact AS Contact, " +
        "offline_reason AS OfflineReason, rating AS Rating, rating_comment AS RatingComment";

    public const string OutboxColumns =
        "id AS Id, channel AS Channel, target AS Target, event_id AS EventId, type AS Type, sid AS Sid, payload AS Payload, " +
        "created_at AS CreatedAt, due_at AS DueAt, attempts AS Attempts";

    public DeskSession? GetSession(long sid) =>
        c.QueryFirstOrDefault<DeskSession>($"SELECT {DeskSessionColumns} FROM support_sessions WHERE sid = @sid", new { sid }, tx);

    public IReadOnlyList<DeskSession> Queue() =>
        c.Query<DeskSession>($"SELECT {DeskSessionColumns} FROM support_sessions WHERE agent IS NULL AND closed_at IS NULL ORDER BY sid",
            transaction: tx).AsList();

    public void Assign(long sid, string agent, long now) =>
        Exec("UPDATE support_sessions SET agent = @agent, assigned_at = COALESCE(assigned_at, @now) WHERE sid = @sid", new { sid, agent, now });

    public void SetOpening(long sid, string? firstWords, string? context) =>
        Exec("UPDATE support_sessions SET first_words = @firstWords, context = @context WHERE sid = @sid", new { sid, firstWords, context });

    public void SetFirstResponse(long sid, long at) =>
        Exec("UPDATE support_sessions SET first_response_at = @at WHERE sid = @sid AND first_response_at IS NULL", new { sid, at });

    public void SetContact(long sid, string email) =>
        Exec("UPDATE support_sessions SET contact = @email WHERE sid = @sid", new { sid, email });

    public void SetOfflineReason(long sid, string? reason) =>
        Exec("UPDATE support_sessions SET offline_reason = @reason WHERE sid = @sid", new { sid, reason });

    public void SetRating(long sid, long score, string? comment) =>
        Exec("UPDATE support_sessions SET rating = @score, rating_comment = @comment WHERE sid = @sid", new { sid, score, comment });

    public IReadOnlyList<string> SessionParticipants(long sid, string except) =>
        c.Query<string>(
            "SELECT DISTINCT i.\"user\" FROM inbox i JOIN messages m ON m.mid = i.mid WHERE m.sid = @sid AND i.\"user\" <> @except",
            new { sid, except }, tx).AsList();

    public IReadOnlySet<string> AwayAgents() =>
        c.Query<string>("SELECT agent FROM support_agents WHERE away = 1", transaction: tx).ToHashSet(StringComparer.Ordinal);

    public void SetAway(string agent, bool away, long now) =>
        Exec("INSERT INTO support_agents (agent, away, changed_at) VALUES (@agent, @flag, @now) " +
            "ON CONFLICT (agent) DO UPDATE SET away = excluded.away, changed_at = excluded.changed_at",
            new { agent, flag = away ? 1 : 0, now });

    public void SaveCanned(CannedResponse canned) =>
        Exec("INSERT INTO support_canned (shortcut, body, updated_by, updated_at) VALUES (@Shortcut, @Body, @UpdatedBy, @UpdatedAt) " +
            "ON CONFLICT (shortcut) DO UPDATE SET body = excluded.body, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            canned);

    public bool DeleteCanned(string shortcut) =>
        c.Execute("DELETE FROM support_canned WHERE shortcut = @shortcut", new { shortcut }, tx) > 0;

    public void AddOutbox(OutboxItem item) =>
        Exec("INSERT INTO desk_outbox (channel, target, event_id, type, sid, payload, created_at, due_at, attempts) " +
            "VALUES (@Channel, @Target, @EventId, @Type, @Sid, @Payload, @CreatedAt, @DueAt, @Attempts)", item);

    public void UpdateOutbox(long id, long attempts, long dueAt, long? doneAt, string? outcome, string? error) =>
        Exec("UPDATE desk_outbox SET attempts = @attempts, due_at = @dueAt, done_at = @doneAt, outcome = @outcome, last_error = @error WHERE id = @id",
            new { id, attempts, dueAt, doneAt, outcome, error });

    public void PurgeOutbox(long before) => Exec("DELETE FROM desk_outbox WHERE done_at < @before", new { before });

    private void Exec(string sql, object args) => c.Execute(sql, args, tx);
}
