namespace CometChat.Core;

/// <summary>
/// What the desk's GET endpoints answer (API.md §7), each authorised here: agents see the queue, lists and
/// any session; a customer sees their own. Reads only; changes go through <see cref="SupportDesk"/>.
/// </summary>
internal sealed class DeskReads(IDeskStore store, SupportDesk desk, DeskQueue queue, Presence presence)
{
    public const int MaxListLimit = 100;

    public async Task<QueueView> QueueAsync(string user, CancellationToken ct)
    {
        desk.RequireAgent(user, "see the queue");
        var sessions = await store.QueueAsync(ct);
        var entries = sessions.Select((s, i) => new QueueEntryView(s.Sid, s.Customer, s.IsGuest, i + 1, s.OpenedAt, s.FirstWords, Context(s))).ToList();
        return new QueueView(entries, await queue.EstimateAsync(ct));
    }

    public async Task<SessionListView> SessionsAsync(string user, string? state, bool mine, long? before, int limit, CancellationToken ct)
    {
        desk.RequireAgent(user, "list sessions");
        var open = state switch
        {
            null or "" or "open" => true,
            "closed" => false,
            _ => throw new ChatException(ChatError.BadRequest("'state' must be 'open' or 'closed'.")),
        };
        var rows = await store.ListSessionsAsync(open, mine ? user : null, before ?? long.MaxValue, limit + 1, ct);
        var page = rows.Take(limit).Select(r => SessionView.Of(r.Session, forAgent: true, r, details: false)).ToList();
        return new SessionListView(page, rows.Count > limit);
    }

    public async Task<SessionView> SessionAsync(string user, long sid, CancellationToken ct)
    {
        var summary = await store.SummaryAsync(sid, ct) ?? throw SupportDesk.NoSuchSession(sid);
        var agent = desk.IsAgent(user);
        if (!agent && summary.Session.Customer != user)
            throw new ChatException(ChatError.Forbidden($"'sid': session {sid} is not yours."));
        // The customer's view: no contact, and no count of what the agents have not read.
        return agent ? SessionView.Of(summary.Session, forAgent: true, summary) : SessionView.Of(summary.Session, forAgent: false);
    }

    /// <summary>The caller's own session as a customer: its state, place in the queue, and whether the desk is offline.</summary>
    public async Task<MineView> MineAsync(string user, CancellationToken ct)
    {
        var away = await store.AwayAgentsAsync(ct);
        var reason = desk.OfflineReason(away);
        var s = await store.LatestSessionOfAsync(user, ct);
        if (s is null) return new MineView(null, "none", null, null, reason is not null, reason, null, null);
        int? position = null;
        long? estimate = null;
        if (s.State == DeskSession.Queued)
        {
            var waiting = await store.QueueAsync(ct);
            var index = waiting.ToList().FindIndex(q => q.Sid == s.Sid);
            if (index >= 0) position = index + 1;
            estimate = await queue.EstimateAsync(ct);
        }
        return new MineView(s.Sid, s.State, position, estimate, reason is not null, reason, s.Agent,
            s.State == DeskSession.Closed ? s.Rating is not null : null);
    }

    public async Task<AgentsView> AgentsAsync(string user, CancellationToken ct)
    {
        desk.RequireAgent(user, "list agents");
        var load = await store.OpenLoadAsync(ct);
        var away = await store.AwayAgentsAsync(ct);
        return new AgentsView([.. desk.Agents.Select(a => new AgentView(a, presence.IsOnline(a), away.Contains(a), load.GetValueOrDefault(a)))]);
    }

    public async Task<AgentView> AgentAsync(string agent, CancellationToken ct) =>
        (await AgentsAsync(agent, ct)).Agents.First(a => a.Agent == agent);

    public async Task<CannedListView> CannedAsync(string user, CancellationToken ct)
    {
        desk.RequireAgent(user, "read canned responses");
        return new CannedListView([.. (await store.CannedAsync(ct)).Select(c => new CannedView(c.Shortcut, c.Body))]);
    }

    /// <summary>Every message of the session in order: for its customer (no notes), and for its agents (with notes).</summary>
    public async Task<TranscriptView> TranscriptAsync(string user, long sid, string? format, CancellationToken ct)
    {
        if (format is not (null or "" or "json" or "text" or "html"))
            throw new ChatException(ChatError.BadRequest("'format' must be 'text', 'json' or 'html'."));
        var s = await store.GetDeskSessionAsync(sid, ct) ?? throw SupportDesk.NoSuchSession(sid);
        var isAgent = await IsSessionAgentAsync(user, s, ct);
        if (!isAgent && s.Customer != user)
            throw new ChatException(ChatError.Forbidden($"'sid': session {sid} is neither yours nor one of your sessions."));
        var messages = await store.SessionMessagesAsync(sid, notes: isAgent, ct);
        return new TranscriptView(s.Sid, s.Customer, s.Agent, s.State, s.OpenedAt, s.ClosedAt, messages,
            format == "text" ? Transcript.Text(s, messages) : null,
            format == "html" ? Transcript.Html(s, messages) : null);
    }

    /// <summary>An agent who has or had the session, or any agent while it waits in the queue (to decide whether to claim it).</summary>
    public async Task<bool> IsSessionAgentAsync(string user, DeskSession s, CancellationToken ct) =>
        desk.IsAgent(user) && (s.Agent is null || s.Agent == user || await store.IsParticipantAsync(s.Sid, user, ct));

    public async Task<bool> IsSessionAgentAsync(string user, long sid, CancellationToken ct) =>
        await store.GetDeskSessionAsync(sid, ct) is { } s && await IsSessionAgentAsync(user, s, ct);

    private static SessionContext? Context(DeskSession s) => SessionContext.Parse(s.Context);
}
