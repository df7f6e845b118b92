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

    public MessageWriter(IMessageStore store, FeedHead head, IWakeUpBus bus, ChatStats stats, RecentMessages recent, ILogger<MessageWriter> log)
    {
        _store = store;
        _head = head;
        _bus = bus;
        _stats = stats;
        _recent = recent;
        _log = log;
        recent.Reset(head.Value);
        stats.SetStored(store.CountMessages());
    }

    /// <summary>The highest committed mid known here: every mid at or below it is visible to readers (see <see cref="FeedHead"/>).</summary>
    public long Head => _head.Value;

    /// <summary>Runs <paramref name="work"/> in the next batch's transaction and answers after its commit.</summary>
    public Task<T> RunAsync<T>(Func<IWriteTransaction, T> work)
    {
        var item = new WorkItem<T>(work);
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
        var appended = new List<Appended>();
        var erased = false;
        try
        {
            using var tx = new RecordingTransaction(_store.BeginWrite(), appended);
            foreach (var item in batch)
            {
                tx.Savepoint();
                var mark = appended.Count;
                try
                {
                    item.Run(tx);
                    tx.ReleaseSavepoint();
                }
                catch (ChatException e)
                {
                    tx.RollbackToSavepoint();
                    appended.RemoveRange(mark, appended.Count - mark);
                    item.Fail(e);
                }
            }
            tx.Commit();
            erased = tx.Erased;
        }
        catch (Exception e)
        {
            LogBatchFailed(_log, e, batch.Count);
            var error = e as StoreUnavailableException ?? new StoreUnavailableException("The database failed to commit.", e);
            foreach (var item in batch)
                item.Fail(new ChatException(ChatError.Unavailable($"{error.Message} Nothing was stored; retry with the same id.")));
            return;
        }

        // An erased body may sit in the cache: drop it all (erasing is rare); readers then read the store.
        if (erased) _recent.Reset(_head.Value);
        if (appended.Count > 0)
        {
            // Cache, then head, then wake: a reader that sees the new head finds the messages cached.
            foreach (var a in appended) _recent.Add(a.Message, a.Recipients);
            _head.Announce(appended[^1].Message.Mid);
            _stats.Stored(appended.Count);
            foreach (var a in appended)
                _bus.Publish(new WakeUp(a.Recipients, a.Message.From, a.Message.Client, a.Message.Mid));
        }
        foreach (var item in batch) item.Complete();
    }

    [LoggerMessage(1, LogLevel.Error, "A write batch of {Count} items failed; none was acknowledged")]
    private static partial void LogBatchFailed(ILogger logger, Exception e, int count);

    private readonly record struct Appended(Message Message, IReadOnlyCollection<string> Recipients);

    private abstract class WorkItem
    {
        public abstract void Run(IWriteTransaction tx);
        public abstract void Fail(Exception e);
        public abstract void Complete();
    }

    private sealed class WorkItem<T>(Func<IWriteTransaction, T> work) : WorkItem
    {
        private readonly TaskCompletionSource<T> _tcs = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;
        private bool _failed;

        public Task<T> Task => _tcs.Task;
        public override void Run(IWriteTransaction tx) => _result = work(tx);
        public override void Fail(Exception e) { _failed = true; _tcs.TrySetException(e); }
        public override void Complete() { if (!_failed) _tcs.TrySetResult(_result!); }
    }

    /// <summary>Notes every appended message so the batch can wake its recipients after the commit.</summary>
    private sealed class RecordingTransaction(IWriteTransaction inner, List<Appended> appended) : IWriteTransaction
    {
        public Message Append(Message draft, IReadOnlyCollection<string> recipients, string conversation)
        {
            var m = inner.Append(draft, recipients, conversation);
            appended.Add(new Appended(m, recipients));
            return m;
        }

        public Message? FindBySenderId(string sender, string id) => inner.FindBySenderId(sender, id);
        public Message? GetMessage(long mid) => inner.GetMessage(mid);
        public bool IsRecipient(long mid, string user) => inner.IsRecipient(mid, user);
        public bool UserExists(string name) => inner.UserExists(name);
        public UserRecord? GetUser(string name) => inner.GetUser(name);
        public void CreateUser(string name, string? passwordHash, long createdAt) => inner.CreateUser(name, passwordHash, createdAt);
        public void SetPassword(string name, string? passwordHash) => inner.SetPassword(name, passwordHash);
        public void SetSetting(string key, string value) => inner.SetSetting(key, value);
        public bool RoomExists(string room) => inner.RoomExists(room);
        public void CreateRoom(string room, string createdBy, long createdAt) => inner.CreateRoom(room, createdBy, createdAt);
        public IReadOnlyList<string> RoomMembers(string room) => inner.RoomMembers(room);
        public bool IsMember(string room, string user) => inner.IsMember(room, user);
        public void AddMember(string room, string user, long joinedAt) => inner.AddMember(room, user, joinedAt);
        public void RemoveMember(string room, string user) => inner.RemoveMember(room, user);
        public SupportSession? OpenSessionOf(string customer) => inner.OpenSessionOf(customer);
        public SupportSession? GetSession(long sid) => inner.GetSession(sid);
        public IReadOnlyList<SupportSession> UnassignedSessions() => inner.UnassignedSessions();
        public IReadOnlyDictionary<string, int> OpenSessionCounts() => inner.OpenSessionCounts();
        public long CreateSession(string customer, string? agent, long openedAt) => inner.CreateSession(customer, agent, openedAt);
        public void AssignSession(long sid, string agent) => inner.AssignSession(sid, agent);
        public void CloseSession(long sid, long closedAt) => inner.CloseSession(sid, closedAt);
        public IReadOnlyList<string> NamesWithoutSkeleton(NameKind kind, int limit) => inner.NamesWithoutSkeleton(kind, limit);
        public void ClearSkeletons(NameKind kind) => inner.ClearSkeletons(kind);
        public void SetSkeleton(NameKind kind, string name, string skeleton) => inner.SetSkeleton(kind, name, skeleton);
        public IReadOnlyList<string> NamesWithSkeleton(NameKind kind, string skeleton) => inner.NamesWithSkeleton(kind, skeleton);
        public IReadOnlyList<string[]> SkeletonCollisions(NameKind kind) => inner.SkeletonCollisions(kind);
        public void Rename(NameKind kind, string from, string to) => inner.Rename(kind, from, to);
        public void RevokeTokens(string user, long at) => inner.RevokeTokens(user, at);
        public void RevokeToken(string tokenHash, string user, long expiresAt) => inner.RevokeToken(tokenHash, user, expiresAt);
        public void PurgeRevokedTokens(long now) => inner.PurgeRevokedTokens(now);
        public void DeleteUser(string user, long at) => inner.DeleteUser(user, at);
        public IReadOnlyList<string> RoomsOf(string user) => inner.RoomsOf(user);
        public int EraseMessages(MessageErasure what, long erasedAt)
        {
            var erased = inner.EraseMessages(what, erasedAt);
            if (erased > 0) Erased = true;
            return erased;
        }
        /// <summary>Bodies were erased in this batch: the recent-messages cache must forget what it holds.</summary>
        public bool Erased { get; private set; }
        public void Savepoint() => inner.Savepoint();
        public void ReleaseSavepoint() => inner.ReleaseSavepoint();
        public void RollbackToSavepoint() => inner.RollbackToSavepoint();
        public void Commit() => inner.Commit();
        public void Dispose() => inner.Dispose();
    }
}
