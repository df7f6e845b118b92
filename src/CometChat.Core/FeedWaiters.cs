using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace CometChat.Core;

/// <summary>
/// The per-user registry of open listeners: the only place parking and waking happen.
/// Wake is called after a commit (through <see cref="IWakeUpBus"/>), never before.
/// </summary>
internal sealed class FeedWaiters(IOptions<ChatOptions> options, Presence presence, ChatStats stats)
{
    private readonly ConcurrentDictionary<string, UserListeners> _byUser = new(StringComparer.Ordinal);
    private readonly int _maxParked = options.Value.MaxParkedPerUser;

    public ChatStats Stats => stats;

    public FeedListener Add(string user, string? client, ListenerKind kind)
    {
        var listener = new FeedListener(user, client, kind);
        FeedListener? superseded = null;
        while (true)
        {
            var entry = _byUser.GetOrAdd(user, static _ => new UserListeners());
            lock (entry)
            {
                if (entry.Removed) continue; // lost a race with the last Remove; take the fresh entry
                if (kind == ListenerKind.Poll)
                {
                    var polls = 0;
                    foreach (var l in entry.List) if (l.Kind == ListenerKind.Poll) polls++;
                    if (polls >= _maxParked) superseded = entry.List.First(l => l.Kind == ListenerKind.Poll);
                    if (superseded is not null) entry.List.Remove(superseded);
                }
                entry.List.Add(listener);
                break;
            }
        }
        stats.ListenerOpened(kind);
        presence.Connected(user);
        if (superseded is not null)
        {
            stats.ListenerClosed(superseded.Kind);
            presence.Disconnected(user);
            superseded.Supersede();
        }
        return listener;
    }

    public void Remove(FeedListener listener)
    {
        if (!_byUser.TryGetValue(listener.User, out var entry)) return;
        bool removed;
        lock (entry)
        {
            removed = entry.List.Remove(listener);
            if (entry.List.Count == 0)
            {
                entry.Removed = true;
                _byUser.TryRemove(new KeyValuePair<string, UserListeners>(listener.User, entry));
            }
        }
        if (removed)
        {
            stats.ListenerClosed(listener.Kind);
            presence.Disconnected(listener.User);
        }
    }

    /// <summary>Wakes every listener of <paramref name="user"/> except the tab named <paramref name="exceptClient"/>.</summary>
    public void Wake(string user, string? exceptClient)
    {
        foreach (var l in Snapshot(user))
            if (exceptClient is null || l.Client != exceptClient) l.Signal();
    }

    /// <summary>Wakes every listener on this node: after wake-ups from other nodes may have been lost (backplane outage).</summary>
    public void WakeAll()
    {
        foreach (var user in _byUser.Keys) Wake(user, null);
    }

    public void Publish(string user, ChatEvent e)
    {
        foreach (var l in Snapshot(user)) l.Publish(e);
    }

    /// <summary>Hands <paramref name="e"/> to the listeners of every one of <paramref name="users"/> but <paramref name="except"/>.</summary>
    public void Publish(IEnumerable<string> users, string? except, ChatEvent e)
    {
        foreach (var user in users)
            if (user != except) Publish(user, e);
    }

    public bool HasListeners(string user) => _byUser.ContainsKey(user);

    private FeedListener[] Snapshot(string user)
    {
        if (!_byUser.TryGetValue(user, out var entry)) return [];
        lock (entry) return [.. entry.List];
    }

    private sealed class UserListeners
    {
        public readonly List<FeedListener> List = new(2);
        public bool Removed;
    }
}
