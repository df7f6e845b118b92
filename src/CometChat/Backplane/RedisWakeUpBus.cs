using System.Buffers;
using System.Text.Json;
using CometChat.Core;
using StackExchange.Redis;

namespace CometChat.Backplane;

/// <summary>
/// Committed batches and typing events across nodes over one Redis pub/sub channel. Local listeners are woken
/// directly, as on one node; each batch then goes to every other node whole (one publish per batch, with its
/// messages), where <see cref="ClusterFeed"/> caches it in mid order and wakes that node's readers: by inbox
/// recipient, and by room through the node's own room index, so a room message names its room, not its members.
/// Pub/sub may lose messages (Redis down or restarting): nothing is lost for clients, because the store is
/// the truth: a node reads a gap in the batches from it, and re-reads the head after a reconnect, on reads while
/// down, and every heartbeat. A lost batch may be a bulk erasure, which takes no mid and leaves no gap: so after any
/// lost connection the bus counts as down (readers read the store, not the cache) until this node has subscribed
/// again and then caught up (cache dropped, head re-read); a catch-up that fails is retried every heartbeat.
/// </summary>
internal sealed partial class RedisWakeUpBus : IWakeUpBus
{
    private readonly RedisConnection _redis;
    private readonly FeedWaiters _waiters;
    private readonly FeedHead _head;
    private readonly ClusterFeed _cluster;
    private readonly RedisChannel _channel;
    private readonly ILogger<RedisWakeUpBus> _log;
    private volatile bool _live; // subscribed, then caught up, with no connection lost since
    private int _losses, _subscribing, _again;

    public RedisWakeUpBus(RedisConnection redis, FeedWaiters waiters, FeedHead head, ClusterFeed cluster, ILogger<RedisWakeUpBus> log)
    {
        _redis = redis;
        _waiters = waiters;
        _head = head;
        _cluster = cluster;
        _log = log;
        _channel = redis.Channel("wake");
        // Never blocks startup on Redis: until subscribed and caught up the bus counts as down (reads check the store).
        _ = MaintainAsync(CancellationToken.None);
        redis.Lost += () =>
        {
            Interlocked.Increment(ref _losses);
            _live = false;
        };
        redis.Restored += () => _ = MaintainAsync(CancellationToken.None);
    }

    public BusState State => _live && _redis.IsConnected ? BusState.Up : BusState.Down;

    /// <summary>
    /// Subscribes and catches up unless done since the last lost connection: at start, after every reconnect, and
    /// each heartbeat while that failed (Redis or the store unavailable).
    /// </summary>
    public async Task MaintainAsync(CancellationToken ct)
    {
        // A trigger that arrives during an attempt (the multiplexer restores its interactive and its subscription
        // connection one after the other) is kept, not dropped: the attempt runs again if it failed. Otherwise a
        // first attempt made before the subscription connection was back would leave the node unsubscribed until
        // the next heartbeat (and, in tests on a fake clock, for ever).
        Volatile.Write(ref _again, 1);
        if (Interlocked.Exchange(ref _subscribing, 1) == 1) return;
        try
        {
            while (!_live && _redis.IsConnected && Interlocked.Exchange(ref _again, 0) == 1)
            {
                var losses = Volatile.Read(ref _losses);
                try
                {
                    // Subscribed anew even after a reconnect, where the multiplexer re-subscribes by itself: only a
                    // completed SUBSCRIBE proves this node hears every batch from here on, so the catch-up after it
                    // leaves nothing missed. A timed-out earlier attempt may have left its handler registered: drop
                    // it so none is doubled.
                    await _redis.Subscriber.UnsubscribeAsync(_channel);
                    await _redis.Subscriber.SubscribeAsync(_channel, (_, value) => Receive(value));
                    // A connection lost during the attempt may have missed a batch after the catch-up's read.
                    if (await CatchUpAsync()) _live = losses == Volatile.Read(ref _losses);
                }
                catch (Exception e) when (e is RedisException or TimeoutException)
                {
                    LogSubscribeFailed(_log, e);
                }
            }
        }
        finally
        {
            Volatile.Write(ref _subscribing, 0);
        }
        // A trigger that came in after the loop's last look but before the flag was cleared.
        if (!_live && _redis.IsConnected && Volatile.Read(ref _again) == 1) await MaintainAsync(ct);
    }

    public void Publish(WakeUp wake)
    {
        foreach (var user in wake.Users)
            _waiters.Wake(user, user == wake.Sender ? wake.SenderClient : null);
    }

    public void Share(CommittedBatch batch) => Send(w => BatchFormat.Write(w, batch));

    public void PublishEvent(string user, ChatEvent e)
    {
        _waiters.Publish(user, e);
        Send(w =>
        {
            w.WriteString("e", e.Kind);
            w.WriteString("j", System.Text.Encoding.UTF8.GetString(e.Json));
            w.WriteString("x", e.Summary);
            w.WriteString("r", user);
        });
    }

    public void PublishRoomEvent(string room, IReadOnlyCollection<string> members, string except, ChatEvent e)
    {
        _waiters.Publish(members, except, e);
        Send(w =>
        {
            w.WriteString("e", e.Kind);
            w.WriteString("j", System.Text.Encoding.UTF8.GetString(e.Json));
            w.WriteString("x", e.Summary);
            w.WriteString("room", room);
            w.WriteString("s", except);
        });
    }

    /// <summary>
    /// Every batch published before this node listened is gone: re-reads the head, drops the cache and reads what is
    /// missing from the store, then lets every local reader look. False when the store could not be read: the bus stays
    /// down (so the cache, maybe holding an erased body, is not read) and the next heartbeat tries again.
    /// </summary>
    private async Task<bool> CatchUpAsync()
    {
        var caughtUp = false;
        try
        {
            var stored = await _head.RefreshAsync(CancellationToken.None);
            _head.Announce(stored);
            _cluster.CatchUp(stored); // drops the cache (an erasure may be among the lost batches), reads the rest from the store
            caughtUp = true;
        }
        catch (StoreUnavailableException) { } // meanwhile the readers' own store reads answer 503 or catch up
        _waiters.WakeAll();
        return caughtUp;
    }

    private void Send(Action<Utf8JsonWriter> body)
    {
        if (!_redis.IsConnected) return; // the others catch up from the store (FeedHead) once it is back
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("n", _redis.NodeId);
            body(w);
            w.WriteEndObject();
        }
        try { _redis.Subscriber.Publish(_channel, buffer.WrittenMemory, CommandFlags.FireAndForget); }
        catch (RedisException e) { LogPublishFailed(_log, e); }
    }

    private void Receive(RedisValue value)
    {
        try
        {
            using var doc = JsonDocument.Parse((ReadOnlyMemory<byte>)value);
            var m = doc.RootElement;
            if (m.GetProperty("n").GetString() == _redis.NodeId) return; // woken locally already
            if (m.TryGetProperty("e", out var kind))
            {
                var e = new ChatEvent(kind.GetString()!, System.Text.Encoding.UTF8.GetBytes(m.GetProperty("j").GetString()!), m.GetProperty("x").GetString()!);
                if (m.TryGetProperty("room", out var room)) _waiters.Publish(_cluster.MembersOf(room.GetString()!), m.GetProperty("s").GetString(), e);
                else _waiters.Publish(m.GetProperty("r").GetString()!, e);
                return;
            }
            _cluster.Received(BatchFormat.Read(m));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            LogBadMessage(_log, e);
        }
    }

    [LoggerMessage(1, LogLevel.Debug, "Publishing a wake-up to Redis failed; other nodes catch up from the store")]
    private static partial void LogPublishFailed(ILogger logger, Exception e);

    [LoggerMessage(2, LogLevel.Warning, "Ignored a malformed backplane message")]
    private static partial void LogBadMessage(ILogger logger, Exception e);

    [LoggerMessage(3, LogLevel.Warning, "Subscribing to the Redis backplane failed; retrying at the next heartbeat")]
    private static partial void LogSubscribeFailed(ILogger logger, Exception e);
}
