namespace CometChat.Core;

/// <summary>The desk's writes, inside the single writer's transaction (<see cref="IWriteTransaction.Desk"/>).</summary>
internal interface IDeskWrites
{
    DeskSession? GetSession(long sid);
    /// <summary>Queued sessions (no agent, open), oldest first.</summary>
    IReadOnlyList<DeskSession> Queue();
    /// <summary>Sets the agent; the first assignment also ends the wait (<c>assigned_at</c>).</summary>
    void Assign(long sid, string agent, long now);
    void SetOpening(long sid, string? firstWords, string? context);
    /// <summary>The first agent reply's time, if none is set yet.</summary>
    void SetFirstResponse(long sid, long at);
    void SetContact(long sid, string email);
    void SetOfflineReason(long sid, string? reason);
    void SetRating(long sid, long score, string? comment);
    /// <summary>Users who hold a message of the session in their feed, minus <paramref name="except"/>: its agents, past and present.</summary>
    IReadOnlyList<string> SessionParticipants(long sid, string except);

    IReadOnlySet<string> AwayAgents();
    void SetAway(string agent, bool away, long now);

    void SaveCanned(CannedResponse canned);
    bool DeleteCanned(string shortcut);

    void AddOutbox(OutboxItem item);
    /// <summary>Records an attempt: done (delivered, skipped, given up) when <paramref name="doneAt"/> is set, else due again at <paramref name="dueAt"/>.</summary>
    void UpdateOutbox(long id, long attempts, long dueAt, long? doneAt, string? outcome, string? error);
    /// <summary>Forgets outbox items done before <paramref name="before"/> (epoch ms).</summary>
    void PurgeOutbox(long before);
}

/// <summary>The desk's reads, on pooled connections outside the writer.</summary>
internal interface IDeskStore
{
    Task<DeskSession?> GetDeskSessionAsync(long sid, CancellationToken ct);
    Task<IReadOnlyList<DeskSession>> QueueAsync(CancellationToken ct);
    /// <summary>The customer's newest session, open or closed.</summary>
    Task<DeskSession?> LatestSessionOfAsync(string customer, CancellationToken ct);
    /// <summary>Newest first, before <paramref name="before"/> (a sid); <paramref name="agent"/> narrows to one agent's.</summary>
    Task<IReadOnlyList<DeskSessionSummary>> ListSessionsAsync(bool open, string? agent, long before, int limit, CancellationToken ct);
    Task<DeskSessionSummary?> SummaryAsync(long sid, CancellationToken ct);
    /// <summary>Every message of the session in mid order, receipts excluded; notes only when <paramref name="notes"/>.</summary>
    Task<IReadOnlyList<Message>> SessionMessagesAsync(long sid, bool notes, CancellationToken ct);
    /// <summary>True when <paramref name="user"/> holds a message of the session in their feed.</summary>
    Task<bool> IsParticipantAsync(long sid, string user, CancellationToken ct);
    /// <summary>Waits (ms) of the latest <paramref name="count"/> assigned sessions, newest first.</summary>
    Task<IReadOnlyList<long>> RecentWaitsAsync(int count, CancellationToken ct);
    Task<IReadOnlyDictionary<string, int>> OpenLoadAsync(CancellationToken ct);
    Task<IReadOnlySet<string>> AwayAgentsAsync(CancellationToken ct);
    Task<IReadOnlyList<CannedResponse>> CannedAsync(CancellationToken ct);
    /// <summary>Sessions opened in [from, to): the report's raw rows.</summary>
    Task<IReadOnlyList<DeskSession>> SessionsOpenedAsync(long from, long to, CancellationToken ct);
    /// <summary>Pending outbox items, oldest first.</summary>
    Task<IReadOnlyList<OutboxItem>> PendingOutboxAsync(int limit, CancellationToken ct);
}
