namespace CometChat.Core;

/// <summary>
/// A batch as it committed: every mid in (<paramref name="After"/>, <paramref name="UpTo"/>] is one of
/// <paramref name="Messages"/> (in mid order) or will never exist. After is the head the batch's transaction read
/// under the write lock, so consecutive batches of all nodes chain: each one's After is the previous one's UpTo.
/// <paramref name="Changed"/>: earlier messages the batch rewrote (recalled, edited), as they read now.
/// <paramref name="Erased"/>: the batch erased bodies in bulk (account deletion, retention), of any mid up to UpTo (its
/// own messages included): every node drops its cache and reads every mid up to UpTo from the store.
/// </summary>
internal sealed record CommittedBatch(long After, long UpTo, IReadOnlyList<Appended> Messages, IReadOnlyList<Appended>? Changed = null,
    bool Erased = false);

/// <summary>
/// On a shared store (several nodes): keeps this node's recent-messages cache and room index complete, in mid order,
/// from the batches themselves: this node's own commits and every other node's, which ride the backplane with their
/// wake-ups. So a woken reader on any node reads its page from memory, not from the store. A batch that does not
/// follow the last one applied (another node's publish still on its way, lost, or never sent while Redis was down)
/// waits <see cref="GapGrace"/> for the batches before it, then the gap is read from the store
/// (<see cref="IMessageStore.ReadCommittedAsync"/>). Until the cache covers the head (<see cref="Covered"/>),
/// readers read the store, so a gap costs speed, never a message.
/// </summary>
internal sealed partial class ClusterFeed(IMessageStore store, RecentMessages recent, FeedHead head, FeedWaiters waiters,
    ChatStats stats, TimeProvider time, ILogger<ClusterFeed> log)
{
    /// <summary>How long a batch that skips ahead waits for the ones before it: publishes of several nodes arrive in any order.</summary>
    public static readonly TimeSpan GapGrace = TimeSpan.FromMilliseconds(50);
    private const int FillPage = 1000;

    private readonly object _gate = new();
    private readonly SortedDictionary<long, CommittedBatch> _pending = new(); // by After
    private long _covered, _target, _erasedUpTo;
    private int _erasures; // bumped whenever the cache is dropped for an erasure: a store read begun before it is stale
    private int _filling;

    /// <summary>Every committed mid up to this one is in the cache (or was evicted from it): reads up to here need no store.</summary>
    public long Covered => Volatile.Read(ref _covered);

    /// <summary>Starts at the store's head, with the room memberships open there (called once the store is open).</summary>
    public void Start(long at)
    {
        recent.Reset(at, store.OpenMemberships(at));
        Volatile.Write(ref _covered, at);
    }

    /// <summary>The members of <paramref name="room"/> as of the last batch this node applied.</summary>
    public string[] MembersOf(string room) => recent.MembersOf(room);

    /// <summary>This node's own batch, just committed (its readers are woken by the writer).</summary>
    public void Committed(CommittedBatch batch) => Offer(batch);

    /// <summary>Another node's batch, from the backplane: cached in order, then the head moves and its readers here wake.</summary>
    public void Received(CommittedBatch batch)
    {
        Offer(batch);
        head.Announce(batch.UpTo);
        Wake(batch.Messages);
    }

    /// <summary>
    /// Other nodes committed up to <paramref name="storeHead"/> and their batches may never come (the backplane was
    /// down): read what is missing from the store.
    /// </summary>
    public void CatchUp(long storeHead)
    {
        // A bulk erasure's batch may be among the lost ones: no cached body may outlive it.
        lock (_gate)
        {
            recent.Forget();
            _erasures++;
            _target = Math.Max(_target, storeHead);
        }
        if (storeHead > Covered) _ = FillAsync(TimeSpan.Zero);
    }

    private void Offer(CommittedBatch batch)
    {
        bool gap;
        lock (_gate)
        {
            if (batch.Erased) Erase(batch.UpTo);
            // Seen already (a gap fill got there first), or carrying bodies an erasure has removed since.
            if (batch.UpTo <= _covered || batch.UpTo <= _erasedUpTo) { }
            else if (batch.After <= _covered) Apply(batch);
            else _pending.TryAdd(batch.After, batch);
            gap = _pending.Count > 0 || _target > _covered;
        }
        if (gap) _ = FillAsync(GapGrace);
    }

    /// <summary>
    /// Under the gate: a batch erased bodies of mids up to <paramref name="upTo"/>. The cache is dropped, and the batches
    /// up to it that are pending or still on their way carry the old bodies: they are ignored, and the mids up to it
    /// not covered yet are read from the store.
    /// </summary>
    private void Erase(long upTo)
    {
        recent.Forget();
        _erasures++;
        _erasedUpTo = Math.Max(_erasedUpTo, upTo);
        _target = Math.Max(_target, upTo);
        while (_pending.Count > 0 && _pending.First().Value.UpTo <= upTo) _pending.Remove(_pending.First().Key);
    }

    /// <summary>Under the gate: caches the batch's messages past what is covered, then every pending batch that now follows.</summary>
    private void Apply(CommittedBatch batch)
    {
        while (true)
        {
            if (batch.UpTo > _covered)
            {
                var fresh = batch.Messages;
                if (fresh.Count > 0 && fresh[0].Message.Mid <= _covered) fresh = [.. fresh.Where(a => a.Message.Mid > _covered)];
                if (batch.Changed is { Count: > 0 } changed) recent.Replace(changed);
                recent.Add(fresh, batch.UpTo);
                Volatile.Write(ref _covered, batch.UpTo);
            }
            // Pending batches wholly covered now are stale; the first one that follows is next.
            CommittedBatch? next = null;
            while (_pending.Count > 0)
            {
                var (after, first) = _pending.First();
                if (after > _covered) break;
                _pending.Remove(after);
                if (first.UpTo > _covered) { next = first; break; }
            }
            if (next is null) return;
            batch = next;
        }
    }

    /// <summary>After <paramref name="grace"/>, reads from the store every gap still open, page by page; one fill at a time.</summary>
    private async Task FillAsync(TimeSpan grace)
    {
        if (Interlocked.Exchange(ref _filling, 1) == 1) return;
        var failed = false;
        try
        {
            if (grace > TimeSpan.Zero) await Task.Delay(grace, time);
            while (true)
            {
                long from, to;
                int erasures;
                lock (_gate)
                {
                    from = _covered;
                    to = _pending.Count > 0 ? _pending.First().Key : _target;
                    erasures = _erasures;
                }
                if (to <= from) break;
                var read = await store.ReadCommittedAsync(from, to, FillPage, CancellationToken.None);
                var upTo = read.Count == FillPage ? read[^1].Message.Mid : to;
                var changed = await RewrittenAsync(read);
                lock (_gate)
                {
                    if (erasures != _erasures) continue; // an erasure committed meanwhile: read again
                    Apply(new CommittedBatch(from, upTo, read, changed));
                }
                stats.GapFilled(read.Count);
                LogFilled(log, from, upTo, read.Count);
                head.Announce(upTo);
                Wake(read);
            }
        }
        catch (StoreUnavailableException e)
        {
            LogFillFailed(log, e); // readers read the store meanwhile; the next batch or heartbeat tries again
            failed = true;
        }
        finally
        {
            Volatile.Write(ref _filling, 0);
        }
        // A gap that opened after the loop's last look.
        bool again;
        lock (_gate) again = _pending.Count > 0 || _target > _covered;
        if (again && !failed) _ = FillAsync(GapGrace);
    }

    /// <summary>
    /// The messages a gap's recalls and edits rewrote, as the store holds them now: this node may have cached them
    /// before the gap, and the batches that would have carried their new copies never came.
    /// </summary>
    private async Task<IReadOnlyList<Appended>?> RewrittenAsync(IReadOnlyList<Appended> read)
    {
        List<Appended>? changed = null;
        foreach (var a in read)
        {
            if (a.Message is not { Kind: MessageKinds.Recall or MessageKinds.Edit, Ref: { } original }) continue;
            foreach (var c in await store.ReadCommittedAsync(original - 1, original, 1, CancellationToken.None)) (changed ??= []).Add(c);
        }
        return changed;
    }

    /// <summary>
    /// Wakes the readers here of these messages, once per user: inbox recipients, and the members of each room as this
    /// node's index has them (plus a leaver, who still reads their own leave). The sending tab is spared only when every
    /// message of the batch for that user came from it (the echo rule, API.md §2 <c>client</c>).
    /// </summary>
    private void Wake(IReadOnlyList<Appended> messages)
    {
        if (messages.Count == 0) return;
        var users = new Dictionary<string, string?>(StringComparer.Ordinal);
        void Add(string user, Message m)
        {
            if (!waiters.HasListeners(user)) return;
            var except = user == m.From ? m.Client : null;
            users[user] = users.TryGetValue(user, out var was) && was != except ? null : except;
        }
        Dictionary<string, string[]>? rooms = null;
        foreach (var a in messages)
        {
            if (a.Recipients is { } recipients) { foreach (var u in recipients) Add(u, a.Message); continue; }
            var room = a.Room!;
            rooms ??= new Dictionary<string, string[]>(StringComparer.Ordinal);
            if (!rooms.TryGetValue(room, out var members)) rooms[room] = members = recent.MembersOf(room);
            foreach (var u in members) Add(u, a.Message);
            if (a.Message.Kind == MessageKinds.Leave) Add(a.Message.From, a.Message);
        }
        foreach (var (user, except) in users) waiters.Wake(user, except);
    }

    [LoggerMessage(1, LogLevel.Debug, "Read mids {From}..{UpTo} from the store ({Count} messages): their batches did not arrive in time")]
    private static partial void LogFilled(ILogger logger, long from, long upTo, int count);

    [LoggerMessage(2, LogLevel.Debug, "Filling a gap in the backplane's batches from the store failed")]
    private static partial void LogFillFailed(ILogger logger, Exception e);
}
