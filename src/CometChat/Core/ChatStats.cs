namespace CometChat.Core;

/// <summary>Counters behind /api/stats: Interlocked only, nothing on the hot path takes a lock.</summary>
internal sealed class ChatStats(TimeProvider time)
{
    private const int WindowSeconds = 10;
    private readonly long[] _perSecond = new long[WindowSeconds];
    private readonly long[] _secondOf = new long[WindowSeconds];
    private long _parkedPolls, _openStreams, _openSockets, _messagesStored, _deliveries;

    public long ParkedPolls => Interlocked.Read(ref _parkedPolls);
    public long OpenStreams => Interlocked.Read(ref _openStreams);
    public long OpenSockets => Interlocked.Read(ref _openSockets);
    public long MessagesStored => Interlocked.Read(ref _messagesStored);
    public long Deliveries => Interlocked.Read(ref _deliveries);

    public void SetStored(long count) => Interlocked.Exchange(ref _messagesStored, count);

    public void ListenerOpened(ListenerKind kind) => Interlocked.Increment(ref Counter(kind));
    public void ListenerClosed(ListenerKind kind) => Interlocked.Decrement(ref Counter(kind));
    public void Delivered(int count) => Interlocked.Add(ref _deliveries, count);

    public void Stored(int count)
    {
        Interlocked.Add(ref _messagesStored, count);
        var second = time.GetUtcNow().ToUnixTimeSeconds();
        var slot = (int)(second % WindowSeconds);
        lock (_perSecond)
        {
            if (_secondOf[slot] != second) { _secondOf[slot] = second; _perSecond[slot] = 0; }
            _perSecond[slot] += count;
        }
    }

    /// <summary>Messages stored per second over the last ten whole seconds.</summary>
    public double MessagesPerSecond()
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        long sum = 0;
        lock (_perSecond)
        {
            for (var i = 0; i < WindowSeconds; i++)
                if (now - _secondOf[i] is > 0 and <= WindowSeconds) sum += _perSecond[i];
        }
        return sum / (double)WindowSeconds;
    }

    private ref long Counter(ListenerKind kind)
    {
        switch (kind)
        {
            case ListenerKind.Poll: return ref _parkedPolls;
            case ListenerKind.Stream: return ref _openStreams;
            default: return ref _openSockets;
        }
    }
}
