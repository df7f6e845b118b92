namespace CometChat.Core;

/// <summary>
/// Counters behind /api/stats and /metrics: Interlocked only on the hot paths. <see cref="ChatMetrics"/>
/// publishes the same numbers through System.Diagnostics.Metrics for dotnet-counters.
/// </summary>
internal sealed class ChatStats(TimeProvider time)
{
    private long _parkedPolls, _openStreams, _openSockets, _messagesStored, _deliveries, _logins, _failedLogins;
    private readonly long[] _refusals = new long[RefusalKinds.All.Length];
    private readonly RateWindow _storedRate = new(time), _deliveredRate = new(time);

    public long ParkedPolls => Interlocked.Read(ref _parkedPolls);
    public long OpenStreams => Interlocked.Read(ref _openStreams);
    public long OpenSockets => Interlocked.Read(ref _openSockets);
    public long MessagesStored => Interlocked.Read(ref _messagesStored);
    public long Deliveries => Interlocked.Read(ref _deliveries);

    /// <summary>Messages per commit: how much group commit is batching.</summary>
    public Histogram CommitBatchSizes { get; } = new([1, 2, 4, 8, 16, 32, 64, 128, 256]);

    /// <summary>Milliseconds from a wake-up signal to the woken reader having its page.</summary>
    public Histogram WakeLatencyMs { get; } = new([0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 1000]);

    /// <summary>Requests and connections refused by a limit, of one kind, since start.</summary>
    public long Refusals(RefusalKind kind) => Interlocked.Read(ref _refusals[(int)kind]);

    public void Refused(RefusalKind kind) => Interlocked.Increment(ref _refusals[(int)kind]);

    /// <summary>Password logins since start: answered with a token, or refused (401, wrong password).</summary>
    public long Logins(bool succeeded) => Interlocked.Read(ref succeeded ? ref _logins : ref _failedLogins);

    public void LoggedIn(bool succeeded) => Interlocked.Increment(ref succeeded ? ref _logins : ref _failedLogins);

    public void SetStored(long count) => Interlocked.Exchange(ref _messagesStored, count);

    public void ListenerOpened(ListenerKind kind)
    {
        Interlocked.Increment(ref Counter(kind));
        ListenersChanged?.Invoke();
    }

    public void ListenerClosed(ListenerKind kind)
    {
        Interlocked.Decrement(ref Counter(kind));
        ListenersChanged?.Invoke();
    }

    /// <summary>
    /// Raised after a poll parks or ends, or a stream or socket opens or closes: whoever must wait for that (a
    /// test, before it sends) waits on this signal instead of polling the counters. Handlers must not block.
    /// </summary>
    public event Action? ListenersChanged;

    /// <summary>Messages handed to a client by any transport.</summary>
    public void Delivered(int count)
    {
        if (count == 0) return;
        Interlocked.Add(ref _deliveries, count);
        _deliveredRate.Add(count);
    }

    public void Stored(int count)
    {
        Interlocked.Add(ref _messagesStored, count);
        _storedRate.Add(count);
        CommitBatchSizes.Record(count);
    }

    public double MessagesPerSecond() => _storedRate.PerSecond();
    public double DeliveriesPerSecond() => _deliveredRate.PerSecond();

    private ref long Counter(ListenerKind kind)
    {
        switch (kind)
        {
            case ListenerKind.Poll: return ref _parkedPolls;
            case ListenerKind.Stream: return ref _openStreams;
            default: return ref _openSockets;
        }
    }

    /// <summary>Events per second over the last ten whole seconds.</summary>
    private sealed class RateWindow(TimeProvider time)
    {
        private const int Seconds = 10;
        private readonly long[] _count = new long[Seconds];
        private readonly long[] _secondOf = new long[Seconds];

        public void Add(long n)
        {
            var second = time.GetUtcNow().ToUnixTimeSeconds();
            var slot = (int)(second % Seconds);
            lock (_count)
            {
                if (_secondOf[slot] != second) { _secondOf[slot] = second; _count[slot] = 0; }
                _count[slot] += n;
            }
        }

        public double PerSecond()
        {
            var now = time.GetUtcNow().ToUnixTimeSeconds();
            long sum = 0;
            lock (_count)
                for (var i = 0; i < Seconds; i++)
                    if (now - _secondOf[i] is > 0 and <= Seconds) sum += _count[i];
            return sum / (double)Seconds;
        }
    }
}

/// <summary>A fixed-bucket histogram (Prometheus style: cumulative buckets, sum and count).</summary>
internal sealed class Histogram(double[] bounds)
{
    private readonly long[] _buckets = new long[bounds.Length + 1];
    private long _count;
    private double _sum;

    public IReadOnlyList<double> Bounds => bounds;

    public void Record(double value)
    {
        var i = Array.BinarySearch(bounds, value);
        Interlocked.Increment(ref _buckets[i >= 0 ? i : ~i]);
        Interlocked.Increment(ref _count);
        double seen, updated;
        do { seen = Volatile.Read(ref _sum); updated = seen + value; }
        while (Interlocked.CompareExchange(ref _sum, updated, seen) != seen);
    }

    /// <summary>Cumulative counts per bound, then the total (the +Inf bucket).</summary>
    public (long[] Cumulative, long Count, double Sum) Snapshot()
    {
        var cumulative = new long[_buckets.Length];
        long running = 0;
        for (var i = 0; i < _buckets.Length; i++) cumulative[i] = running += Interlocked.Read(ref _buckets[i]);
        return (cumulative, Interlocked.Read(ref _count), Volatile.Read(ref _sum));
    }
}
