using System.Threading.Channels;

namespace CometChat.Core;

/// <summary>
/// The single write path. Work items queue here and run one batch at a time in one transaction (group
/// commit); each item runs in a savepoint so a rejected one leaves no trace. Callers are answered only
/// after the commit, and the changed feeds are woken only after it too: nothing is acknowledged or
/// delivered that a crash could take back.
/// </summary>
internal sealed partial class MessageWriter : BackgroundService
{
    private const int MaxBatch = 256;
    private readonly Channel<WorkItem> _queue = Channel.CreateBounded<WorkItem>(
        new BoundedChannelOptions(10_000) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly IMessageStore _store;
    private readonly IWakeUpBus _bus;
    private readonly ChatStats _stats;
    private readonly RecentMessages _recent;
    private readonly ILogger<MessageWriter> _log;
    private readonly FeedHead _head;
    private readonly RoomMembers _members;
    private readonly ClusterFeed _cluster;

    private readonly StoreIncidents _incidents;

    public MessageWriter(IMessageStore store, FeedHead head, IWakeUpBus bus, ChatStats stats, RecentMessages recent, RoomMembers members,
        StoreIncidents incidents, ClusterFeed cluster, ILogger<MessageWriter> log)
    {
        _incidents = incidents;
        _store = store;
        _head = head;
        _bus = bus;
        _stats = stats;
        _recent = recent;
        _members = members;
        _cluster = cluster;
        _log = log;
        // One node: the cache follows this writer's commits. Shared store: every node's, in order (ClusterFeed).
        if (head.Shared) cluster.Start(head.Value);
        else recent.Reset(head.Value, store.OpenMemberships(head.Value));
        stats.SetStored(store.CountMessages());
    }

    /// <summary>The store's failures as incidents: whoever else meets one reports it there instead of logging a stack trace.</summary>
    public StoreIncidents Incidents => _incidents;

    /// <summary>The highest committed mid known here: every mid at or below it is visible to readers (see <see cref="FeedHead"/>).</summary>
    public long Head => _head.Value;

    /// <summary>
    /// Raised on the writer's loop after every batch that committed, before its callers are answered, for work
    /// that must follow a commit (the desk's queue events and outbox). Handlers must not block.
    /// </summary>
    public event Action? Committed;

    /// <summary>
    /// Runs <paramref name="work"/> in the next batch's transaction and answers after its commit. <paramref name="addressed"/>:
    /// the (recipient, sender) pair a direct send will check, read for the whole batch at its start.
    /// </summary>
    public Task<T> RunAsync<T>(Func<IWrites, T> work, (string User, string Sender)? addressed = null)
    {
        var item = new WorkItem<T>(work) { Addressed = addressed };
        if (!_queue.Writer.TryWrite(item))
            throw new ChatException(ChatError.Unavailable("The server is overloaded with writes; retry with the same id."));
        return item.Task;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<WorkItem>(MaxBatch);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var item)) batch.Add(item);
                RunBatch(batch);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: commit what is already queued, so nothing accepted is left unanswered.
            _queue.Writer.TryComplete();
            while (_queue.Reader.TryRead(out var item)) batch.Add(item);
            if (batch.Count > 0) RunBatch(batch);
        }
    }

    private void RunBatch(List<WorkItem> batch)
    {
        IReadOnlyList<Appended> appended, changed;
        long? after;
        Dictionary<string, RoomWake>? rooms = null;
        var erased = false;
        try
        {
            using var tx = _store.BeginWrite(Addressed(batch));
            foreach (var item in batch)
            {
                tx.Savepoint();
                try
                {
                    item.Run(tx);
                    tx.ReleaseSavepoint();
                }
                catch (ChatException e)
                {
                    tx.RollbackToSavepoint();
                    item.Fail(e);
                }
            }
            appended = tx.Appended;
            after = tx.After;
            changed = tx.Changed;
            rooms = RoomWakes(tx, appended);
            tx.Commit();
            erased = tx.Erased;
        }
        catch (Exception e)
        {
            // The store failing is one incident with one line; anything else is a bug, with its stack trace.
            if (!_incidents.Covers(e)) LogBatchFailed(_log, e, batch.Count);
            var error = e as StoreUnavailableException ?? new StoreUnavailableException("The database failed to commit.", e);
            foreach (var item in batch)
                item.Fail(new ChatException(ChatError.Unavailable($"{error.Message} Nothing was stored; retry with the same id.")));
            return;
        }

        _incidents.Committed();
        // Rewritten messages (recalls, edits) first: no reader may meet the old body after the commit that removed it.
        // On a shared store they travel with the batch, so every node's cache replaces its copies in mid order.
        if (after is null || appended.Count == 0) _recent.Replace(changed);
        // Bodies erased in bulk (account deletion, retention) may sit in the cache: drop it all (rare); readers then read
        // the store. On a shared store every node must, in the batches' order: the erasure travels as a batch of its own.
        if (erased && after is null) _recent.Forget();
        else if (erased && appended.Count == 0) ShareBatch(new CommittedBatch(after!.Value, after.Value, [], Erased: true));
        if (appended.Count > 0)
        {
            // Cache (and room members), then head, then wake: a reader that sees the new head finds the messages cached.
            var last = appended[^1].Message.Mid;
            if (after is { } previous) ShareBatch(new CommittedBatch(previous, last, appended, changed, erased));
            else _recent.Add(appended);
            _head.Announce(last);
            _stats.Stored(appended.Count);
            foreach (var a in appended)
                if (a.Recipients is { } users) _bus.Publish(new WakeUp(users, a.Message.From, a.Message.Client, a.Message.Mid));
            if (rooms is not null)
                foreach (var (room, w) in rooms)
                    _bus.Publish(new WakeUp(w.Users(_members.Members(room)), w.Sender, w.SenderClient, w.Mid));
        }
        Committed?.Invoke();
        foreach (var item in batch) item.Complete();
    }

    /// <summary>This node's batch on a shared store: into its own cache in order, and to every other node.</summary>
    private void ShareBatch(CommittedBatch committed)
    {
        _cluster.Committed(committed);
        _bus.Share(committed);
    }

    /// <summary>
    /// One wake-up per room per batch, however many messages it got: the members after the batch plus whoever
    /// left during it (they still read their own leave message). Waking a joiner of a later mid too is harmless.
    /// On a shared store the members come from the transaction: other nodes change membership as well.
    /// </summary>
    private Dictionary<string, RoomWake>? RoomWakes(IWriteTransaction tx, IReadOnlyList<Appended> appended)
    {
        Dictionary<string, RoomWake>? rooms = null;
        foreach (var a in appended)
        {
            if (a.Room is not { } room) continue;
            rooms ??= new Dictionary<string, RoomWake>(StringComparer.Ordinal);
            if (!rooms.TryGetValue(room, out var w)) rooms[room] = w = new RoomWake(a.Message.From, a.Message.Client);
            w.Add(a.Message);
        }
        if (rooms is not null && _head.Shared)
            foreach (var (room, w) in rooms) w.Stored = tx.Rooms.Members(room);
        return rooms;
    }

    private static List<(string, string)>? Addressed(List<WorkItem> batch)
    {
        List<(string, string)>? pairs = null;
        foreach (var item in batch)
            if (item.Addressed is { } pair) (pairs ??= []).Add(pair);
        return pairs;
    }

    private sealed class RoomWake(string sender, string? senderClient)
    {
        private List<string>? _leavers;

        public string? Sender { get; private set; } = sender;
        public string? SenderClient { get; private set; } = senderClient;
        public long Mid { get; private set; }
        public IReadOnlyCollection<string>? Stored { get; set; }

        public void Add(Message m)
        {
            Mid = m.Mid;
            // The echo rule holds only while every message of the room in this batch came from the same tab.
            if (m.From != Sender || m.Client != SenderClient) Sender = SenderClient = null;
            if (m.Kind == MessageKinds.Leave) (_leavers ??= []).Add(m.From);
        }

        public IReadOnlyCollection<string> Users(IReadOnlyCollection<string> indexed)
        {
            var members = Stored ?? indexed;
            return _leavers is null ? members : [.. members, .. _leavers];
        }
    }

    [LoggerMessage(1, LogLevel.Error, "A write batch of {Count} items failed; none was acknowledged")]
    private static partial void LogBatchFailed(ILogger logger, Exception e, int count);

    private abstract class WorkItem
    {
        public (string User, string Sender)? Addressed { get; init; }

        public abstract void Run(IWrites tx);
        public abstract void Fail(Exception e);
        public abstract void Complete();
    }

    private sealed class WorkItem<T>(Func<IWrites, T> work) : WorkItem
    {
        private readonly TaskCompletionSource<T> _tcs = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;
        private bool _failed;

        public Task<T> Task => _tcs.Task;
        public override void Run(IWrites tx) => _result = work(tx);
        public override void Fail(Exception e) { _failed = true; _tcs.TrySetException(e); }
        public override void Complete() { if (!_failed) _tcs.TrySetResult(_result!); }
    }
}
