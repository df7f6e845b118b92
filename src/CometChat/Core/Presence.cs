using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace CometChat.Core;

/// <summary>
/// Online while any poll, stream or socket of a user is open, and for Chat:Presence:GraceSeconds after
/// the last closes, so a long-polling user does not flicker offline between polls.
/// </summary>
internal sealed class Presence(IOptions<ChatOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, State> _users = new(StringComparer.Ordinal);
    private readonly long _graceMs = options.Value.Presence.GraceSeconds * 1000L;

    /// <summary>
    /// Raised after a user opens a connection or is touched, so whoever waits for a user to be online (the
    /// support desk's queue) hears of it. Handlers run on the caller's thread and must not block.
    /// </summary>
    public event Action<string>? Seen;

    public void Connected(string user)
    {
        var s = _users.GetOrAdd(user, static _ => new State());
        lock (s) { s.Open++; s.LastSeen = Now(); }
        Seen?.Invoke(user);
    }

    public void Disconnected(string user)
    {
        if (!_users.TryGetValue(user, out var s)) return;
        lock (s) { s.Open = Math.Max(0, s.Open - 1); s.LastSeen = Now(); }
    }

    /// <summary>A short poll or send: seen now, online for the grace period.</summary>
    public void Touch(string user)
    {
        var s = _users.GetOrAdd(user, static _ => new State());
        lock (s) s.LastSeen = Now();
        Seen?.Invoke(user);
    }

    public PresenceInfo Get(string user)
    {
        if (!_users.TryGetValue(user, out var s)) return new(false, null);
        lock (s)
        {
            var now = Now();
            if (s.Open > 0) return new(true, now);
            return new(now - s.LastSeen < _graceMs, s.LastSeen);
        }
    }

    public bool IsOnline(string user) => Get(user).Online;

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    private sealed class State
    {
        public int Open;
        public long LastSeen;
    }
}

internal readonly record struct PresenceInfo(bool Online, long? LastSeen);
