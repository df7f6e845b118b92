using Microsoft.Extensions.Options;

namespace CometChat.Core;

/// <summary>What a transfer or close did: the session afterwards, and its session message when it changed.</summary>
internal sealed record SessionChange(SupportSession Session, Message? Message);

/// <summary>
/// The support desk (API.md §6): agents from Chat:Support:Agents; a customer's session goes to the online
/// agent with the fewest open sessions (ties: name order), or waits in the queue until an agent is seen
/// online, then queued sessions are assigned oldest first. Every state change is a <c>session</c>
/// message from <c>@support</c> to the customer, carrying <c>sid</c>, whose body starts with the state:
/// <c>queued</c>, <c>assigned to X</c>, <c>transferred to X</c>, <c>closed by X</c>.
/// </summary>
internal sealed partial class SupportDesk : IHostedService
{
    public const string Address = "@support";
    private readonly HashSet<string> _agents = new(StringComparer.Ordinal);
    private readonly MessageWriter _writer;
    private readonly Presence _presence;
    private readonly TimeProvider _time;
    private readonly ILogger<SupportDesk> _log;
    // 1 while a session may be waiting in the queue (set before presence is read, so an agent seen
    // concurrently still triggers assignment); starts at 1 because a restart may find queued sessions.
    private int _maybeQueued = 1;
    private int _assignPending;
    // With other nodes sharing the store, any of them may queue a session: the hint above stays set.
    private readonly bool _shared;

    public SupportDesk(IOptions<ChatOptions> options, MessageWriter writer, Presence presence, TimeProvider time, ILogger<SupportDesk> log)
    {
        _writer = writer;
        _presence = presence;
        _time = time;
        _log = log;
        _shared = options.Value.SharedStore;
        _agents.UnionWith(Names.FromSetting(options.Value.Support.Agents, "Chat:Support:Agents"));
    }

    public bool IsAgent(string user) => _agents.Contains(user);

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

    /// <summary>Inside the writer: opens a session for <paramref name="customer"/>, assigned or queued.</summary>
    public SupportSession Open(IWrites tx, string customer, long now)
    {
        var queueWaiting = Interlocked.Exchange(ref _maybeQueued, 1) == 1;
        var counts = new Dictionary<string, int>(tx.Support.OpenSessionCounts(), StringComparer.Ordinal);
        // Whoever waited longer goes first, even when the agent came online without us hearing of it.
        if (queueWaiting) AssignQueued(tx, counts);
        var agent = PickAgent(counts);
        var sid = tx.Support.CreateSession(customer, agent, now);
        var session = new SupportSession(sid, customer, agent, now, null);
        if (agent is null) Announce(tx, session, "queued", [customer], now);
        else Announce(tx, session, "assigned to " + agent, [customer, agent], now);
        return session;
    }

    public Task<SessionChange> TransferAsync(string user, long? sid, string? toValue)
    {
        if (sid is null) throw new ChatException(ChatError.BadRequest("'sid' is required."));
        if (!IsAgent(user)) throw new ChatException(ChatError.Forbidden("'sid': only support agents transfer sessions."));
        var to = Names.User(toValue, "to");
        if (!IsAgent(to)) throw new ChatException(ChatError.BadRequest($"'to': '{to}' is not a support agent."));
        return _writer.RunAsync(tx =>
        {
            var s = OpenSession(tx, sid.Value);
            if (s.Agent != user)
                throw new ChatException(ChatError.Forbidden($"'sid': session {s.Sid} is {(s.Agent is null ? "queued" : "assigned to " + s.Agent)}, not to you."));
            if (to == user) throw new ChatException(ChatError.BadRequest($"'to': session {s.Sid} is already assigned to {to}."));
            tx.Support.AssignSession(s.Sid, to);
            var after = s with { Agent = to };
            return new SessionChange(after, Announce(tx, after, "transferred to " + to, [s.Customer, user, to]));
        });
    }

    /// <summary>By the customer or the assigned agent; closing a closed session changes nothing.</summary>
    public Task<SessionChange> CloseAsync(string user, long? sid)
    {
        if (sid is null) throw new ChatException(ChatError.BadRequest("'sid' is required."));
        return _writer.RunAsync(tx =>
        {
            var s = tx.Support.GetSession(sid.Value) ?? throw NoSuchSession(sid.Value);
            if (s.Customer != user && s.Agent != user)
                throw new ChatException(ChatError.Forbidden($"'sid': session {s.Sid} is not yours to close."));
            return Close(tx, s, user, Now());
        });
    }

    /// <summary>Inside the writer: closes <paramref name="customer"/>'s open session, if any, as closed by them (their account is going).</summary>
    public void CloseOpenSessionOf(IWrites tx, string customer, long now)
    {
        if (tx.Support.OpenSessionOf(customer) is { } s) Close(tx, s, customer, now);
    }

    private SessionChange Close(IWrites tx, SupportSession s, string by, long now)
    {
        if (s.ClosedAt is not null) return new SessionChange(s, null);
        tx.Support.CloseSession(s.Sid, now);
        var after = s with { ClosedAt = now };
        return new SessionChange(after, Announce(tx, after, "closed by " + by, s.Agent is null ? [s.Customer] : [s.Customer, s.Agent], now));
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
        if (!_agents.Contains(user) || Volatile.Read(ref _maybeQueued) == 0) return;
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
                if (AssignQueued(tx, counts) && !_shared) Volatile.Write(ref _maybeQueued, 0);
                return true;
            });
        }
        catch (Exception e) when (e is ChatException or StoreUnavailableException)
        {
            // Nothing was committed: keep the queue flagged so the next agent seen retries.
            Volatile.Write(ref _maybeQueued, 1);
            Volatile.Write(ref _assignPending, 0);
            LogAssignFailed(_log, e);
        }
    }

    /// <summary>Assigns queued sessions oldest first while an agent is online; true when none is left waiting.</summary>
    private bool AssignQueued(IWrites tx, Dictionary<string, int> counts)
    {
        foreach (var s in tx.Support.UnassignedSessions())
        {
            if (PickAgent(counts) is not { } agent) return false;
            tx.Support.AssignSession(s.Sid, agent);
            Announce(tx, s with { Agent = agent }, "assigned to " + agent, [s.Customer, agent]);
        }
        return true;
    }

    /// <summary>The online agent with the fewest open sessions (ties broken by name), counted in; null when none is online.</summary>
    private string? PickAgent(Dictionary<string, int> counts)
    {
        string? best = null;
        var bestCount = int.MaxValue;
        foreach (var agent in _agents)
        {
            if (!_presence.IsOnline(agent)) continue;
            var n = counts.GetValueOrDefault(agent);
            if (n < bestCount || (n == bestCount && string.CompareOrdinal(agent, best) < 0)) { best = agent; bestCount = n; }
        }
        if (best is not null) counts[best] = bestCount + 1;
        return best;
    }

    private Message Announce(IWrites tx, SupportSession s, string body, IReadOnlyCollection<string> recipients, long? now = null) =>
        tx.Messages.Append(new Message(0, Guid.NewGuid().ToString(), Address, s.Customer, MessageKinds.Session, body, now ?? Now(), Sid: s.Sid),
            recipients, Conversations.Support(s.Customer));

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    [LoggerMessage(40, LogLevel.Warning, "Assigning queued support sessions failed; the next agent seen online retries")]
    private static partial void LogAssignFailed(ILogger logger, Exception e);
}
