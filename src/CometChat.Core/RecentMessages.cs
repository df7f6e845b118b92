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
    /// <paramref name="upTo"/>: the batch covers every mid up to it (mids that never committed included), so
    /// readers' cursors may move there.
    /// </summary>
    public void Add(IReadOnlyList<Appended> batch, long upTo = 0)
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
            if (_enabled && upTo > _newest) _newest = upTo;
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

    /// <summary>The members of <paramref name="room"/> as of the last batch added (a copy, safe on any thread).</summary>
    public string[] MembersOf(string room)
    {
        lock (_gate) return [.. members.Members(room)];
    }

    /// <summary>The page after <paramref name="cursor"/>, or null when the cache does not cover it.</summary>
    /// <remarks>
    /// A k-way merge of the reader's sources (their inbox, each room within its interval), each in mid order:
    /// it takes only the page's messages, so a reader in 500 rooms with long backlogs costs about
    /// 500 binary searches plus a page, not a sort of every room's backlog.
    /// </remarks>
    public FeedPage? TryRead(string user, string? client, Cursor cursor, int limit)
    {
        if (!_enabled) return null;
        var after = cursor.Mid;
        lock (_gate)
        {
            if (after < _floor) return null;
            var newest = _newest;
            if (newest <= after) return FeedPage.Empty(cursor);
            var merge = new Merge();
            if (_users.TryGetValue(user, out var own)) merge.Add(own.After(after, long.MaxValue));
            if (members.IntervalsOf(user) is { } intervals)
            {
                foreach (var iv in intervals)
                {
                    if (iv.ToMid is { } end && end <= after) continue;
                    if (!_rooms.TryGetValue(iv.Room, out var timeline) || timeline.Newest <= after) continue;
                    merge.Add(timeline.After(Math.Max(after, iv.FromMid - 1), iv.ToMid ?? long.MaxValue));
                }
            }
            // Like the store's read: at most limit messages looked at (the tab's own sends included), then "more".
            List<Message>? page = null;
            var next = after;
            for (var seen = 0; merge.TryTake(out var m); seen++)
            {
                if (seen == limit) return new FeedPage((IReadOnlyList<Message>?)page ?? [], new Cursor(next), true);
                next = m.Mid;
                if (client is not null && m.Client == client && m.From == user) continue; // the tab's own send: skipped, cursor moves past
                (page ??= new List<Message>(Math.Min(limit, 16))).Add(m);
            }
            // Everything up to newest was looked at: the cursor moves there even when nothing was for us.
            return new FeedPage((IReadOnlyList<Message>?)page ?? [], new Cursor(newest), false);
        }
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

        /// <summary>The messages with <paramref name="after"/> &lt; mid &lt;= <paramref name="upTo"/>, as a run to merge.</summary>
        public Run After(long after, long upTo)
        {
            int lo = _start, hi = _start + _count;
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                if (_items[mid].Mid <= after) lo = mid + 1;
                else hi = mid;
            }
            return new Run(_items, lo, _start + _count, upTo);
        }
    }

    /// <summary>A slice of one timeline's array, read under the lock: items[index..end) up to mid <see cref="UpTo"/>.</summary>
    private struct Run(Message[] items, int index, int end, long upTo)
    {
        public readonly long UpTo = upTo;

        public readonly Message? Current => index < end && items[index].Mid <= UpTo ? items[index] : null;

        public void MoveNext() => index++;
    }

    /// <summary>Merges runs by mid: one run is read straight through, several through a heap keyed by each run's next mid.</summary>
    private struct Merge
    {
        private Run _single;
        private List<Run>? _runs;
        private PriorityQueue<int, long>? _heap;
        private int _count;

        public void Add(Run run)
        {
            if (run.Current is null) return;
            if (_count++ == 0) { _single = run; return; }
            if (_runs is null) { _runs = [_single]; }
            _runs.Add(run);
        }

        public bool TryTake(out Message m)
        {
            if (_runs is null)
            {
                m = _single.Current!;
                if (m is null) return false;
                _single.MoveNext();
                return true;
            }
            if (_heap is null)
            {
                _heap = new PriorityQueue<int, long>(_runs.Count);
                for (var i = 0; i < _runs.Count; i++) _heap.Enqueue(i, _runs[i].Current!.Mid);
            }
            if (!_heap.TryDequeue(out var r, out _)) { m = null!; return false; }
            var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_runs);
            m = span[r].Current!;
            span[r].MoveNext();
            if (span[r].Current is { } following) _heap.Enqueue(r, following.Mid);
            return true;
        }
    }
}
