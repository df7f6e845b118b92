using System.Collections.Concurrent;

namespace CometChat.Core;

internal enum ListenerKind { Poll, Stream, Socket }

/// <summary>
/// One open poll, stream or socket of a user, registered in <see cref="FeedWaiters"/> for its lifetime.
/// <see cref="Signal"/> swaps in a fresh task and completes the old one, so a reader that captured
/// <see cref="Armed"/> before reading the store never misses a wake-up that came after the read.
/// </summary>
internal sealed class FeedListener
{
    private TaskCompletionSource _signal = NewSignal();
    private ConcurrentQueue<ChatEvent>? _events;
    private int _superseded, _expired;
    private long _signalledAt;

    public FeedListener(string user, string? client, ListenerKind kind)
    {
        User = user;
        Client = client;
        Kind = kind;
    }

    public string User { get; }
    public string? Client { get; }
    public ListenerKind Kind { get; }
    public bool Superseded => Volatile.Read(ref _superseded) == 1;

    /// <summary>Completes on the next <see cref="Signal"/> after this read.</summary>
    public Task Armed => Volatile.Read(ref _signal).Task;

    public void Signal()
    {
        Interlocked.CompareExchange(ref _signalledAt, System.Diagnostics.Stopwatch.GetTimestamp(), 0);
        Interlocked.Exchange(ref _signal, NewSignal()).TrySetResult();
    }

    /// <summary>Time since the first signal not yet taken, then cleared: the wake-up latency of this reader.</summary>
    public TimeSpan? TakeWakeLatency()
    {
        var at = Interlocked.Exchange(ref _signalledAt, 0);
        return at == 0 ? null : System.Diagnostics.Stopwatch.GetElapsedTime(at);
    }

    /// <summary>True once its poll's timeout passed (or the server is stopping): the next empty read answers.</summary>
    public bool Expired => Volatile.Read(ref _expired) == 1;

    /// <summary>Called by <see cref="PollTimeouts"/>.</summary>
    public void Expire()
    {
        Interlocked.Exchange(ref _expired, 1);
        Signal();
    }

    public void Supersede()
    {
        Interlocked.Exchange(ref _superseded, 1);
        Signal();
    }

    public void Publish(ChatEvent e)
    {
        var queue = _events ?? Interlocked.CompareExchange(ref _events, new(), null) ?? _events!;
        queue.Enqueue(e);
        Signal();
    }

    public IReadOnlyList<ChatEvent>? DrainEvents()
    {
        if (_events is not { IsEmpty: false } queue) return null;
        var list = new List<ChatEvent>();
        while (queue.TryDequeue(out var e)) list.Add(e);
        return list;
    }

    // Continuations run asynchronously so Wake never runs a reader's loop on the writer's thread.
    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
