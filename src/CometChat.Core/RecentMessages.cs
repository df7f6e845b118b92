namespace CometChat.Core;

/// <summary>
/// The last committed messages, indexed by where they are read: each user's inbox messages (direct,
/// support, receipts) and each room's timeline, plus the membership intervals that say which room
/// messages a user reads (<see cref="RoomMembers"/>). A woken poll or stream reads its page here, in time
/// proportional to its own messages and rooms, never to everyone's traffic, and without the store.
/// It covers every mid in (floor, newest]; a cursor below the floor (a client catching up from long ago,
/// or anything right after a restart) reads the store. Bounded in bytes (Chat:RecentMessages): the
/// oldest messages are dropped first, raising the floor. Filled by the writer after each commit.
/// </summary>
internal sealed class RecentMessages(long budgetBytes, RoomMembers members)
{
    private readonly object _gate = new();
    private readonly bool _enabled = budgetBytes > 0;
    private readonly Queue<Entry> _fifo = new();
    private readonly Dictionary<string, Timeline> _users = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Timeline> _rooms = new(StringComparer.Ordinal);
    private long _floor = long.MaxValue, _newest, _bytes;

    public long Bytes { get { lock (_gate) return _bytes; } }

    /// <summary>Starts covering everything after the store's head (called once the store is open).</summary>
    public void Reset(long head, IEnumerable<Membership> open)
    {
        lock (_gate)
        {
            _fifo.Clear();
            _users.Clear();
            _rooms.Clear();
            _bytes = 0;
            _floor = _newest = head;
            members.Load(open);
        }
    }

    /// <summary>
    /// Drops every cached message (bodies were erased in the store: a cached copy must not outlive them); the
    /// membership index stays. Readers read the store until new commits fill the cache again.
    /// </summary>
    public void Forget()
    {
        lock (_gate)
        {
            _fifo.Clear();
            _users.Clear();
            _rooms.Clear();
            _bytes = 0;
            _floor = _newest;
        }
    }

    /// <summary>
    /// One committed batch, in mid order. Room membership changes are applied here too, under the same lock,
    /// so a reader never sees a room message without the join that lets it read it (or the reverse).
    /// </summary>
    public void Add(IReadOnlyList<Appended> batch)
    {
        lock (_gate)
        {
            foreach (var a in batch)
            {
                var m = a.Message;
                // Closed intervals are kept only while the cache may serve a cursor before their end.
                if (a.Room is not null) members.Apply(m, _enabled ? _floor : long.MaxValue);
                if (!_enabled) continue;
                var entry = new Entry(m, a.Recipients, Size(m, a.Recipients));
                if (a.Room is { } r) Source(_rooms, r).Add(m);
                else foreach (var user in a.Recipients!) Source(_users, user).Add(m);
                _fifo.Enqueue(entry);
                _bytes += entry.Bytes;
                _newest = m.Mid;
            }
            while (_bytes > budgetBytes && _fifo.Count > 0) Evict(_fifo.Dequeue());
        }
    }

    /// <summary>
    /// Committed rewrites of stored messages (a recall erased a body, an edit replaced it): the cached copies are replaced,
    /// so a reader served from memory never sees what the store no longer holds.
    /// </summary>
    public void Replace(IReadOnlyList<Appended> changed)
    {
        if (!_enabled || changed.Count == 0) return;
        lock (_gate)
        {
            foreach (var c in changed)
            {
                if (c.Room is { } room) { if (_rooms.TryGetValue(room, out var t)) t.Replace(c.Message); }
                else foreach (var user in c.Recipients!) if (_users.TryGetValue(user, out var t)) t.Replace(c.Message);
            }
        }
    }

    /// <summary>The page after <paramref name="cursor"/>, or null when the cache does not cover it.</summary>
    public FeedPage? TryRead(string user, string? client, Cursor cursor, int limit)
    {
        if (!_enabled) return null;
        var after = cursor.Mid;
        List<Message>? found = null;
        long newest, complete = long.MaxValue; // found holds every message of ours up to this mid
        lock (_gate)
        {
            if (after < _floor) return null;
            newest = _newest;
            if (newest <= after) return FeedPage.Empty(cursor);
            // Each source is in mid order; more than limit + 1 from one can never be needed.
            if (_users.TryGetValue(user, out var own)) complete = own.CopyAfter(after, long.MaxValue, limit + 1, ref found);
            if (members.IntervalsOf(user) is { } intervals)
            {
                foreach (var iv in intervals)
                {
                    if (iv.ToMid is { } end && end <= after) continue;
                    if (!_rooms.TryGetValue(iv.Room, out var timeline) || timeline.Newest <= after) continue;
                    complete = Math.Min(complete, timeline.CopyAfter(Math.Max(after, iv.FromMid - 1), iv.ToMid ?? long.MaxValue, limit + 1, ref found));
                }
            }
        }
        if (found is null) return FeedPage.Empty(new Cursor(newest));
        // Several sources: merge by mid (the lists are short: at most limit + 1 from each).
        if (found.Count > 1) found.Sort(static (a, b) => a.Mid.CompareTo(b.Mid));
        List<Message>? page = null;
        var next = after;
        foreach (var m in found)
        {
            if ((page is { Count: var n } && n == limit) || m.Mid > complete) return new FeedPage((IReadOnlyList<Message>?)page ?? [], new Cursor(next), true);
            next = m.Mid;
            if (client is not null && m.Client == client && m.From == user) continue; // the tab's own send: skipped, cursor moves past
            (page ??= new List<Message>(Math.Min(found.Count, limit))).Add(m);
        }
        // A source stopped short: what follows its last message is not looked at yet.
        if (complete != long.MaxValue) return new FeedPage((IReadOnlyList<Message>?)page ?? [], new Cursor(next), true);
        // Everything up to newest was looked at: the cursor moves there even when nothing was for us.
        return new FeedPage((IReadOnlyList<Message>?)page ?? [], new Cursor(newest), false);
    }

    private void Evict(Entry e)
    {
        _bytes -= e.Bytes;
        _floor = e.Message.Mid;
        if (e.Recipients is null) Drop(_rooms, e.Message.To[1..]);
        else foreach (var user in e.Recipients) Drop(_users, user);
    }

    private static void Drop(Dictionary<string, Timeline> index, string key)
    {
        if (index.TryGetValue(key, out var t) && t.RemoveFirst() == 0) index.Remove(key);
    }

    private static Timeline Source(Dictionary<string, Timeline> index, string key)
    {
        if (!index.TryGetValue(key, out var t)) index[key] = t = new Timeline();
        return t;
    }

    /// <summary>What one cached message costs the heap, roughly: the record, its strings, its wire JSON and its index slots.</summary>
    private static long Size(Message m, IReadOnlyCollection<string>? recipients) =>
        160 + 2L * (m.Id.Length + m.From.Length + m.To.Length + m.Body.Length + (m.Client?.Length ?? 0))
        + m.Json.Length + 16L * (recipients?.Count ?? 1);

    private readonly record struct Entry(Message Message, IReadOnlyCollection<string>? Recipients, long Bytes);

    /// <summary>One source's cached messages in mid order; the oldest leave first.</summary>
    private sealed class Timeline
    {
        private Message[] _items = new Message[4];
        private int _start, _count;

        public long Newest => _count == 0 ? 0 : _items[_start + _count - 1].Mid;

        public void Add(Message m)
        {
            if (_start + _count == _items.Length)
            {
                // Compact into place when at most half is used, else grow.
                var target = _count * 2 <= _items.Length ? _items : new Message[_items.Length * 2];
                Array.Copy(_items, _start, target, 0, _count);
                if (target == _items) Array.Clear(_items, _count, _start);
                _items = target;
                _start = 0;
            }
            _items[_start + _count++] = m;
        }

        public void Replace(Message m)
        {
            int lo = _start, hi = _start + _count;
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                if (_items[mid].Mid < m.Mid) lo = mid + 1;
                else hi = mid;
            }
            if (lo < _start + _count && _items[lo].Mid == m.Mid) _items[lo] = m;
        }

        /// <summary>Drops the oldest message; the count left.</summary>
        public int RemoveFirst()
        {
            _items[_start++] = null!;
            if (--_count == 0) _start = 0;
            return _count;
        }

        /// <summary>
        /// Adds the messages with <paramref name="after"/> &lt; mid &lt;= <paramref name="upTo"/>, at most <paramref name="max"/>;
        /// the last mid added when it stopped at <paramref name="max"/> (more may follow), else long.MaxValue.
        /// </summary>
        public long CopyAfter(long after, long upTo, int max, ref List<Message>? into)
        {
            int lo = _start, hi = _start + _count;
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                if (_items[mid].Mid <= after) lo = mid + 1;
                else hi = mid;
            }
            for (var i = lo; i < _start + _count; i++)
            {
                var m = _items[i];
                if (m.Mid > upTo) break;
                if (max-- == 0) return _items[i - 1].Mid;
                (into ??= new List<Message>(4)).Add(m);
            }
            return long.MaxValue;
        }
    }
}
