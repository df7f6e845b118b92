using System.Buffers;
using System.Text.Json;
using CometChat.Core;
using StackExchange.Redis;

namespace CometChat.Backplane;

/// <summary>
/// Wake-ups and typing events across nodes over one Redis pub/sub channel. Local listeners are woken
/// directly, as on one node; the message then tells every other node which feeds changed and the new head.
/// Pub/sub may lose messages (Redis down or restarting): nothing is lost for clients, because the store is
/// the truth and the head is re-read from it (after a reconnect, on reads while down, and every heartbeat).
/// </summary>
internal sealed partial class RedisWakeUpBus : IWakeUpBus
{
    private readonly RedisConnection _redis;
    private readonly FeedWaiters _waiters;
    private readonly FeedHead _head;
    private readonly RedisChannel _channel;
    private readonly ILogger<RedisWakeUpBus> _log;
    private volatile bool _subscribed;
    private int _subscribing, _again;

    public RedisWakeUpBus(RedisConnection redis, FeedWaiters waiters, FeedHead head, ILogger<RedisWakeUpBus> log)
    {
        _redis = redis;
        _waiters = waiters;
        _head = head;
        _log = log;
        _channel = redis.Channel("wake");
        // Never blocks startup on Redis: until subscribed the bus counts as down (reads check the store).
        _ = MaintainAsync(CancellationToken.None);
        redis.Restored += () => _ = _subscribed ? CatchUpAsync() : MaintainAsync(CancellationToken.None);
    }

    public BusState State => _subscribed && _redis.IsConnected ? BusState.Up : BusState.Down;

    /// <summary>
    /// Subscribes if not yet subscribed (at start, and again each heartbeat while that failed). Once
    /// subscribed, the multiplexer itself re-subscribes after every reconnect.
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
            while (!_subscribed && _redis.IsConnected && Interlocked.Exchange(ref _again, 0) == 1)
            {
                try
                {
                    // A timed-out earlier attempt may have left its handler registered: drop it so none is doubled.
                    await _redis.Subscriber.UnsubscribeAsync(_channel);
                    await _redis.Subscriber.SubscribeAsync(_channel, (_, value) => Receive(value));
                    _subscribed = true;
                    await CatchUpAsync(); // whatever was announced before this node listened
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
        if (!_subscribed && _redis.IsConnected && Volatile.Read(ref _again) == 1) await MaintainAsync(ct);
    }

    public void Publish(WakeUp wake)
    {
        foreach (var user in wake.Users)
            _waiters.Wake(user, user == wake.Sender ? wake.SenderClient : null);
        Send(w =>
        {
            w.WriteNumber("h", wake.Mid);
            w.WriteStartArray("u");
            foreach (var user in wake.Users) w.WriteStringValue(user);
            w.WriteEndArray();
            if (wake.Sender is not null) w.WriteString("s", wake.Sender);
            if (wake.SenderClient is not null) w.WriteString("c", wake.SenderClient);
        });
    }

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

    /// <summary>After an outage every wake-up published meanwhile is gone: re-read the head and let every local reader look.</summary>
    public async Task CatchUpAsync()
    {
        try { _head.Announce(await _head.RefreshAsync(CancellationToken.None)); }
        catch (StoreUnavailableException) { } // the readers' own store reads will answer 503 or catch up later
        _waiters.WakeAll();
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
                _waiters.Publish(m.GetProperty("r").GetString()!, e);
                return;
            }
            // Head first: a reader woken below may take the fast path only up to what is committed.
            _head.Announce(m.GetProperty("h").GetInt64());
            var sender = m.TryGetProperty("s", out var s) ? s.GetString() : null;
            var client = m.TryGetProperty("c", out var c) ? c.GetString() : null;
            foreach (var u in m.GetProperty("u").EnumerateArray())
            {
                var user = u.GetString()!;
                _waiters.Wake(user, user == sender ? client : null);
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
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
