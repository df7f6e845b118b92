using Microsoft.Extensions.Options;

namespace CometChat.Core;

/// <summary>
/// The highest mid this node knows to be committed: every mid at or below it is visible to readers or
/// will never exist. On one node only the writer moves it. On a shared store (Chat:Store=postgres) other
/// nodes' commits move it too, from backplane wake-ups or from the store itself (<see cref="RefreshAsync"/>);
/// that is safe because the store commits mids in order across nodes (see PostgresWriteTransaction).
/// </summary>
internal sealed class FeedHead
{
    private readonly IMessageStore _store;
    private long _value, _announced;

    public FeedHead(IMessageStore store, IOptions<ChatOptions> options)
    {
        _store = store;
        Shared = options.Value.SharedStore;
        _value = _announced = store.Initialize();
    }

    public long Value => Volatile.Read(ref _value);

    /// <summary>
    /// The highest mid whose wake-ups reached this node's readers (its own commits, backplane messages, a
    /// catch-up that woke everyone). Commits between this and the store's head woke nobody here yet.
    /// </summary>
    public long Announced => Volatile.Read(ref _announced);

    /// <summary>A commit whose readers on this node have been (or are being) woken.</summary>
    public void Announce(long mid)
    {
        Advance(mid);
        Max(ref _announced, mid);
    }

    /// <summary>True when other nodes write to the same store.</summary>
    public bool Shared { get; }

    /// <summary>Moves the head up to <paramref name="mid"/> (never down); true when it moved.</summary>
    public bool Advance(long mid) => Max(ref _value, mid);

    private static bool Max(ref long field, long mid)
    {
        var seen = Volatile.Read(ref field);
        while (mid > seen)
        {
            var was = Interlocked.CompareExchange(ref field, mid, seen);
            if (was == seen) return true;
            seen = was;
        }
        return false;
    }

    /// <summary>Catches up with commits of other nodes that no wake-up announced; a no-op on one node.</summary>
    public async Task<long> RefreshAsync(CancellationToken ct)
    {
        if (Shared) Advance(await _store.ReadHeadAsync(ct));
        return Value;
    }
}
