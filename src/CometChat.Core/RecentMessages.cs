namespace CometChat.Core;

/// <summary>
/// The last committed messages with the feeds they went to, in mid order: a woken poll or stream
/// usually wants only what was just committed, and reads it here instead of the store. It covers
/// every mid in (Floor, newest]; a cursor below Floor (a client catching up from long ago, or
/// anything right after a restart) reads the store as before. Filled by the writer after each commit.
/// </summary>
internal sealed class RecentMessages(int capacity)
{
    private const int HashAbove = 16;
    private readonly Entry[] _ring = new Entry[Math.Max(1, capacity)];
    private readonly bool _enabled = capacity > 0;
    private int _start, _count;
    private long _floor = long.MaxValue;

    /// <summary>Starts covering everything after the store's head (called once the store is open).</summary>
    public void Reset(long head)
    {
        lock (_ring)
        {
            _start = _count = 0;
            _floor = head;
        }
    }

    public void Add(Message m, IReadOnlyCollection<string> recipients)
    {
        if (!_enabled) return;
        var entry = new Entry(m, recipients.Count > HashAbove ? recipients.ToHashSet(StringComparer.Ordinal) : recipients);
        lock (_ring)
        {
            if (_count == _ring.Length)
            {
                _floor = _ring[_start].Message.Mid;
                _start = (_start + 1) % _ring.Length;
                _count--;
            }
            _ring[(_start + _count) % _ring.Length] = entry;
            _count++;
        }
    }

    /// <summary>The page after <paramref name="cursor"/>, or null when the cache does not cover it.</summary>
    public FeedPage? TryRead(string user, string? client, Cursor cursor, int limit)
    {
        if (!_enabled) return null;
        lock (_ring)
        {
            if (cursor.Mid < _floor) return null;
            if (_count == 0) return FeedPage.Empty(new Cursor(Math.Max(cursor.Mid, _floor)));
            List<Message>? found = null;
            var next = cursor.Mid;
            for (var i = FirstAfter(cursor.Mid); i < _count; i++)
            {
                var e = _ring[(_start + i) % _ring.Length];
                if (!e.IsFor(user)) continue;
                if (found is { Count: var n } && n == limit) return new FeedPage(found, new Cursor(next), true);
                next = e.Message.Mid;
                if (client is not null && e.Message.Client == client && e.Message.From == user) continue;
                (found ??= []).Add(e.Message);
            }
            // Everything cached was scanned: the cursor moves to the newest mid even when nothing was for us.
            var newest = _ring[(_start + _count - 1) % _ring.Length].Message.Mid;
            return new FeedPage((IReadOnlyList<Message>?)found ?? [], new Cursor(Math.Max(cursor.Mid, newest)), false);
        }
    }

    private int FirstAfter(long mid)
    {
        int lo = 0, hi = _count;
        while (lo < hi)
        {
            var mid2 = (lo + hi) >>> 1;
            if (_ring[(_start + mid2) % _ring.Length].Message.Mid <= mid) lo = mid2 + 1;
            else hi = mid2;
        }
        return lo;
    }

    private readonly record struct Entry(Message Message, IReadOnlyCollection<string> Recipients)
    {
        public bool IsFor(string user)
        {
            if (Recipients is HashSet<string> set) return set.Contains(user);
            foreach (var r in Recipients) if (r == user) return true;
            return false;
        }
    }
}
