using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace CometChat.Core;

/// <summary>
/// Online while any poll, stream or socket of a user is open, and for Chat:Presence:GraceSeconds after
/// the last closes, so a long-polling user does not flicker offline between polls. With several nodes,
/// each node reports its own view to <see cref="IClusterPresence"/> and reads the others' from it.
/// This node's own grace periods run on the monotonic clock (<see cref="TimeProvider.GetTimestamp"/>), so a wall
/// clock set back does not keep a user who left online (and handed new support sessions); <c>lastSeen</c> stays
/// wall-clock epoch ms, and so do the reports nodes exchange (keep their clocks in step, e.g. with NTP).
/// </summary>
internal sealed class Presence(IOptions<ChatOptions> options, TimeProvider time, IClusterPresence? cluster = null)
{
    private readonly ConcurrentDictionary<string, State> _users = new(StringComparer.Ordinal);
    private readonly long _graceMs = options.Value.Presence.GraceSeconds * 1000L;
    // A node re-reports its open users every heartbeat (Sweep); if it dies, they fall offline after this.
    private readonly long _openMs = options.Value.HeartbeatSeconds * 3000L + options.Value.Presence.GraceSeconds * 1000L;
    private readonly IClusterPresence _cluster = cluster ?? NoClusterPresence.Instance;

    /// <summary>
    /// Raised after a user opens a connection or is touched, so whoever waits for a user to be online (the
    /// support desk's queue) hears of it. Handlers run on the caller's thread and must not block.
    /// </summary>
    public event Action<string>? Seen;

    public void Connected(string user)
    {
        var s = _users.GetOrAdd(user, static _ => new State());
        var now = Now();
        lock (s) { s.Open++; MarkSeen(s, now); }
        _cluster.Report(user, now, now + _openMs);
        Seen?.Invoke(user);
    }

    public void Disconnected(string user)
    {
        if (!_users.TryGetValue(user, out var s)) return;
        var now = Now();
        int open;
        lock (s) { open = s.Open = Math.Max(0, s.Open - 1); MarkSeen(s, now); }
        _cluster.Report(user, now, now + (open > 0 ? _openMs : _graceMs));
    }

    /// <summary>A short poll or send: seen now, online for the grace period.</summary>
    public void Touch(string user)
    {
        var s = _users.GetOrAdd(user, static _ => new State());
        var now = Now();
        int open;
        lock (s) { MarkSeen(s, now); open = s.Open; }
        _cluster.Report(user, now, now + (open > 0 ? _openMs : _graceMs));
        Seen?.Invoke(user);
    }

    private void MarkSeen(State s, long nowMs)
    {
        s.LastSeen = nowMs;
        s.LastSeenTimestamp = time.GetTimestamp();
    }

    public PresenceInfo Get(string user)
    {
        var now = Now();
        var local = new PresenceInfo(false, null);
        if (_users.TryGetValue(user, out var s))
        {
            lock (s)
            {
                if (s.Open > 0) return new(true, now);
                local = new(time.GetElapsedTime(s.LastSeenTimestamp).TotalMilliseconds < _graceMs, s.LastSeen);
            }
        }
        if (_cluster.Read(user) is not { } remote) return local;
        var lastSeen = Math.Max(local.LastSeen ?? 0, remote.LastSeen);
        if (remote.OnlineUntil > now && remote.OnlineUntil - remote.LastSeen > _graceMs) return new(true, now); // open on another node
        return new(local.Online || remote.OnlineUntil > now, lastSeen);
    }

    public bool IsOnline(string user) => Get(user).Online;

    /// <summary>Re-reports every user with an open connection here, so other nodes keep seeing them online.</summary>
    public void Sweep()
    {
        var now = Now();
        foreach (var (user, s) in _users)
        {
            bool open;
            lock (s) open = s.Open > 0;
            if (open) _cluster.Report(user, now, now + _openMs);
        }
    }

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    private sealed class State
    {
        public int Open;
        public long LastSeen; // wall clock, epoch ms: what lastSeen shows
        public long LastSeenTimestamp; // monotonic: what the grace period counts from
    }
}

internal readonly record struct PresenceInfo(bool Online, long? LastSeen);

/// <summary>One node's view of a user: last seen at, and online until (epoch ms).</summary>
internal readonly record struct PresenceReport(long LastSeen, long OnlineUntil);

/// <summary>Presence shared between nodes (Chat:Backplane=redis). Reports are fire-and-forget; reads never block long.</summary>
internal interface IClusterPresence
{
    void Report(string user, long lastSeen, long onlineUntil);

    /// <summary>The latest of the other nodes' reports, or null when none is known (or the backplane is down).</summary>
    PresenceReport? Read(string user);
}

internal sealed class NoClusterPresence : IClusterPresence
{
    public static readonly NoClusterPresence Instance = new();
    public void Report(string user, long lastSeen, long onlineUntil) { }
    public PresenceReport? Read(string user) => null;
}
