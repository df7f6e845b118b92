using Microsoft.Extensions.Options;

namespace CometChat.Core;

/// <summary>What a transfer, claim or close did: the session afterwards, and its session message when it changed.</summary>
internal sealed record SessionChange(SupportSession Session, Message? Message);

/// <summary>
/// The support desk (API.md §6 and §7): agents from Chat:Support:Agents. With Chat:Support:Routing=auto a
/// customer's session goes to the available agent (online, not away, under Chat:Support:MaxSessionsPerAgent)
/// with the fewest open sessions (ties: name order), within Chat:Support:Hours; otherwise it waits in the
/// queue, and queued sessions are assigned oldest first as agents become available. With <c>manual</c> agents
/// claim from the queue. Every state change is a <c>session</c> message from <c>@support</c> to the customer,
/// carrying <c>sid</c>, whose body starts with the state: <c>queued</c>, <c>offline: reason</c>,
/// <c>assigned to X</c>, <c>transferred to X</c>, <c>closed by X</c>; and an outbox event for webhooks.
/// </summary>
internal sealed partial class SupportDesk : IHostedService
{
    public const string Address = "@support";
    /// <summary>A session's rating has the id <c>rating:SID</c>: one per session.</summary>
    public const string RatingIdPrefix = "rating:";
    private const int FirstWordsChars = 120;
    private readonly HashSet<string> _agents = new(StringComparer.Ordinal);
    private readonly MessageWriter _writer;
    private readonly Presence _presence;
    private readonly TimeProvider _time;
    private readonly DeskEvents _events;
    private readonly DeskHours _hours;
    private readonly ILogger<SupportDesk> _log;
    private readonly bool _auto;
    private readonly int _maxPerAgent;
    private readonly int _maxBody;
    // 1 while a session may be waiting in the queue (set before presence is read, so an agent seen
    // concurrently still triggers assignment); starts at 1 because a restart may find queued sessions.
    private int _maybeQueued = 1;
    private int _assignPending;
    private int _queueChanged;
    // The away switches as last read in a transaction: only to skip needless assignment runs.
    private volatile IReadOnlySet<string> _away = new HashSet<string>();
    // With other nodes sharing the store, any of them may queue a session: the hint above stays set.
    private readonly bool _shared;

    public SupportDesk(IOptions<ChatOptions> options, MessageWriter writer, Presence presence, TimeProvider time, DeskEvents events, ILogger<SupportDesk> log)
    {
        _writer = writer;
        _presence = presence;
        _time = time;
        _events = events;
        _log = log;
        var o = options.Value;
        _shared = o.SharedStore;
        _auto = o.Support.Routing == "auto";
        _maxPerAgent = o.Support.MaxSessionsPerAgent;
        _maxBody = o.MaxBodyChars;
        _hours = new DeskHours(o.Support.Hours, o.Support.TimeZone);
        _agents.UnionWith(Names.FromSetting(o.Support.Agents, "Chat:Support:Agents"));
    }

    public bool IsAgent(string user) => _agents.Contains(user);

    /// <summary>The agents in name order.</summary>
    public IReadOnlyList<string> Agents => [.. _agents.Order(StringComparer.Ordinal)];

    public DeskEvents Events => _events;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _presence.Seen += OnSeen;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _presence.Seen -= OnSeen;
        return Task.CompletedTask;
    }

    /// <summary>True once after the queue may have changed (maybe rolled back since): queue events are due.</summary>
    public bool TakeQueueChanged() => Interlocked.Exchange(ref _queueChanged, 0) == 1;

    private void QueueChanged() => Volatile.Write(ref _queueChanged, 1);

    /// <summary>Online and not switched away.</summary>
    public bool IsAvailable(string agent, IReadOnlySet<string> away) => !away.Contains(agent) && _presence.IsOnline(agent);

    /// <summary>Why the desk is offline now (outside hours, or no agent available), or null while it is online.</summary>
    public string? OfflineReason(IReadOnlySet<string> away)
    {
        if (!_hours.IsOpen(_time.GetUtcNow())) return $"outside opening hours ({_hours.Text}, {_hours.ZoneId})";
        foreach (var a in _agents) if (IsAvailable(a, away)) return null;
        return "no agent is online";
    }

    /// <summary>Inside the writer: opens a session for <paramref name="customer"/> with its first message, assigned or queued.</summary>
    public SupportSession Open(IWrites tx, string customer, Message opening, SessionContext? context)
    {
        var now = opening.SentAt;
        var queueWaiting = Interlocked.Exchange(ref _maybeQueued, 1) == 1;
        var away = Away(tx);
        var counts = new Dictionary<string, int>(tx.Support.OpenSessionCounts(), StringComparer.Ordinal);
        // Whoever waited longer goes first, even when the agent came online without us hearing of it.
        if (queueWaiting) AssignQueued(tx, counts, away);
        var agent = _auto && _hours.IsOpen(_time.GetUtcNow()) ? PickAgent(counts, away) : null;
        var sid = tx.Support.CreateSession(customer, agent, now);
        tx.Desk.SetOpening(sid, FirstWords(opening.Body), context is { IsEmpty: false } ? context.ToJson() : null);
        var session = new SupportSession(sid, customer, agent, now, null);
        if (agent is not null)
        {
            tx.Desk.Assign(sid, agent, now);
            Announce(tx, session, "assigned to " + agent, [customer, agent], now);
            _events.Session(tx, DeskEvents.Assigned, sid);
            return session;
        }
        _events.Session(tx, DeskEvents.Queued, sid);
        if (OfflineReason(away) is { } reason) NoticeOffline(tx, session, reason, now);
        else Announce(tx, session, "queued", [customer], now);
        QueueChanged();
        return session;
    }

    /// <summary>Inside the writer: a customer wrote in their queued session; tells them once per reason that the desk is offline.</summary>
    public void CustomerWrote(IWrites tx, SupportSession session)
    {
        if (session.Agent is not null) return;
        var stored = tx.Desk.GetSession(session.Sid)!;
        var reason = OfflineReason(Away(tx));
        if (reason == stored.OfflineReason) return;
        if (reason is null) tx.Desk.SetOfflineReason(session.Sid, null); // online again: a later offline spell is told anew
        else NoticeOffline(tx, session, reason, Now());
    }

    private void NoticeOffline(IWrites tx, SupportSession session, string reason, long now)
    {
        tx.Desk.SetOfflineReason(session.Sid, reason);
        Announce(tx, session, "offline: " + reason, [session.Customer], now);
        _events.Session(tx, DeskEvents.Offline, session.Sid, reason: reason);
    }

    /// <summary>Inside the writer: a support message was stored (customer's or agent's reply): webhooks, first response, reply email.</summary>
    public void MessageStored(IWrites tx, Message m, bool fromAgent)
    {
        var sid = m.Sid!.Value;
        if (fromAgent)
        {
            tx.Desk.SetFirstResponse(sid, m.SentAt);
            _events.Reply(tx, sid, m);
        }
        _events.Message(tx, sid, m);
    }

    /// <summary>Inside the writer: the open session <paramref name="sid"/>, or a 404/403 naming 'sid'.</summary>
    public static SupportSession OpenSession(IWrites tx, long sid)
    {
        var s = tx.Support.GetSession(sid) ?? throw NoSuchSession(sid);
        if (s.ClosedAt is not null) throw new ChatException(ChatError.Forbidden($"'sid': session {sid} is closed."));
        return s;
    }

    public static ChatException NoSuchSession(long sid) => new(ChatError.NotFound($"'sid': there is no support session {sid}."));

    private void OnSeen(string user)
    {
        if (!_auto || !_agents.Contains(user) || Volatile.Read(ref _maybeQueued) == 0) return;
        if (_away.Contains(user) || !_hours.IsOpen(_time.GetUtcNow())) return;
        if (Interlocked.Exchange(ref _assignPending, 1) == 1) return;
        _ = AssignQueuedAsync();
    }

    private async Task AssignQueuedAsync()
    {
        try
        {
            await _writer.RunAsync(tx =>
            {
                // Cleared first: an agent seen from here on queues another run rather than being missed.
                Volatile.Write(ref _assignPending, 0);
                var counts = new Dictionary<string, int>(tx.Support.OpenSessionCounts(), StringComparer.Ordinal);
                if (AssignQueued(tx, counts, Away(tx)) && !_shared) Volatile.Write(ref _maybeQueued, 0);
                return true;
            });
        }
        catch (Exception e) when (e is ChatException or StoreUnavailableException)
        {
            // Nothing was committed: keep the queue flagged so the next agent seen retries.
            Volatile.Write(ref _maybeQueued, 1);
            Volatile.Write(ref _assignPending, 0);
            if (!_writer.Incidents.Covers(e)) LogAssignFailed(_log, e);
        }
    }

    /// <summary>Assigns queued sessions oldest first while an agent is available; true when none is left waiting.</summary>
    private bool AssignQueued(IWrites tx, Dictionary<string, int> counts, IReadOnlySet<string> away)
    {
        var queue = tx.Support.UnassignedSessions();
        if (queue.Count == 0) return true;
        if (!_auto || !_hours.IsOpen(_time.GetUtcNow())) return false;
        foreach (var s in queue)
        {
            if (PickAgent(counts, away) is not { } agent) return false;
            AssignTo(tx, s, agent);
        }
        return true;
    }

    private void AssignTo(IWrites tx, SupportSession s, string agent)
    {
        var now = Now();
        tx.Support.AssignSession(s.Sid, agent);
        tx.Desk.Assign(s.Sid, agent, now);
        Announce(tx, s with { Agent = agent }, "assigned to " + agent, [s.Customer, agent], now);
        _events.Session(tx, DeskEvents.Assigned, s.Sid);
        QueueChanged();
    }

    /// <summary>The available agent under the cap with the fewest open sessions (ties broken by name), counted in; null when none.</summary>
    private string? PickAgent(Dictionary<string, int> counts, IReadOnlySet<string> away)
    {
        string? best = null;
        var bestCount = int.MaxValue;
        foreach (var agent in _agents)
        {
            var n = counts.GetValueOrDefault(agent);
            if (n >= _maxPerAgent || !IsAvailable(agent, away)) continue;
            if (n < bestCount || (n == bestCount && string.CompareOrdinal(agent, best) < 0)) { best = agent; bestCount = n; }
        }
        if (best is not null) counts[best] = bestCount + 1;
        return best;
    }

    private IReadOnlySet<string> Away(IWrites tx) => _away = tx.Desk.AwayAgents();

    private Message Announce(IWrites tx, SupportSession s, string body, IReadOnlyCollection<string> recipients, long? now = null) =>
        tx.Messages.Append(new Message(0, Guid.NewGuid().ToString(), Address, s.Customer, MessageKinds.Session, body, now ?? Now(), Sid: s.Sid),
            recipients, Conversations.Support(s.Customer));

    private static string FirstWords(string body)
    {
        var flat = string.Join(' ', body.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (flat.Length <= FirstWordsChars) return flat;
        var cut = char.IsHighSurrogate(flat[FirstWordsChars - 2]) ? FirstWordsChars - 2 : FirstWordsChars - 1; // never half a pair
        return flat[..cut] + "\u2026";
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    [LoggerMessage(40, LogLevel.Warning, "Assigning queued support sessions failed; the next agent seen online retries")]
    private static partial void LogAssignFailed(ILogger logger, Exception e);
}
