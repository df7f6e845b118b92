namespace CometChat.Core;

/// <summary>
/// One node's in-memory index of room membership, as intervals of mids: who is in each room now (the
/// writer wakes them after a room message commits) and each user's intervals (the recent-messages cache
/// reads a member's rooms within them). Loaded from the store at start and then changed only by the
/// writer, after each commit, in mid order, by the join and leave messages themselves, so it always
/// equals the store as of the last commit. Only on a store no other node writes to: on a shared store
/// other nodes' joins would be missing, so the writer asks the transaction instead.
/// Not thread-safe by itself: the writer mutates it, and readers go through <see cref="RecentMessages"/>,
/// which applies changes and reads under its own lock.
/// </summary>
internal sealed class RoomMembers
{
    private static readonly HashSet<string> None = [];
    private readonly Dictionary<string, HashSet<string>> _byRoom = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Interval>> _byUser = new(StringComparer.Ordinal);

    /// <summary>A membership: messages of <paramref name="Room"/> with FromMid &lt;= mid &lt;= ToMid (null: still a member).</summary>
    public readonly record struct Interval(string Room, long FromMid, long? ToMid);

    public void Load(IEnumerable<Membership> open)
    {
        _byRoom.Clear();
        _byUser.Clear();
        foreach (var m in open) Open(m.Room, m.User, m.FromMid);
    }

    /// <summary>The members of <paramref name="room"/> now; a live set (read it on the writer's thread).</summary>
    public IReadOnlyCollection<string> Members(string room) => _byRoom.TryGetValue(room, out var set) ? set : None;

    public IReadOnlyList<Interval>? IntervalsOf(string user) => _byUser.GetValueOrDefault(user);

    /// <summary>Applies a committed room message: a join opens the sender's interval at its mid, a leave closes it.</summary>
    public void Apply(Message m, long floor)
    {
        if (m.Kind == MessageKinds.Join) Open(m.To[1..], m.From, m.Mid);
        else if (m.Kind == MessageKinds.Leave) Close(m.To[1..], m.From, m.Mid, floor);
    }

    private void Open(string room, string user, long fromMid)
    {
        if (!_byRoom.TryGetValue(room, out var set)) _byRoom[room] = set = new HashSet<string>(StringComparer.Ordinal);
        set.Add(user);
        if (!_byUser.TryGetValue(user, out var list)) _byUser[user] = list = new List<Interval>(2);
        list.Add(new Interval(room, fromMid, null));
    }

    private void Close(string room, string user, long toMid, long floor)
    {
        if (_byRoom.TryGetValue(room, out var set) && set.Remove(user) && set.Count == 0) _byRoom.Remove(room);
        if (!_byUser.TryGetValue(user, out var list)) return;
        for (var i = list.Count - 1; i >= 0; i--)
        {
            var iv = list[i];
            if (iv.Room == room && iv.ToMid is null) list[i] = iv with { ToMid = toMid };
            // A closed interval matters only to cursors before its end; the cache serves none below its floor.
            else if (iv.ToMid is { } end && end <= floor) list.RemoveAt(i);
        }
        if (list.Count == 0) _byUser.Remove(user);
    }
}
