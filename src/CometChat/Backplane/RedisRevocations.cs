using System.Text.Json;
using CometChat.Core;
using StackExchange.Redis;

namespace CometChat.Backplane;

/// <summary>
/// Token revocations over one Redis pub/sub channel: each node drops a revoked token (or all of a user's) from its
/// cache and ends what it opened. The store holds every revocation, so a message lost while Redis was away costs
/// nothing lasting: after a reconnect every node forgets its whole cache, and while not subscribed
/// (<see cref="Live"/> false) nodes re-read cached tokens from the store every heartbeat.
/// </summary>
internal sealed partial class RedisRevocations : IClusterRevocations
{
    private readonly RedisConnection _redis;
    private readonly RedisChannel _channel;
    private readonly ILogger<RedisRevocations> _log;
    private volatile bool _subscribed;

    public RedisRevocations(RedisConnection redis, ILogger<RedisRevocations> log)
    {
        _redis = redis;
        _log = log;
        _channel = redis.Channel("revoke");
        _ = SubscribeAsync();
        redis.Restored += () =>
        {
            Received?.Invoke(null);
            if (!_subscribed) _ = SubscribeAsync();
        };
    }

    public bool Live => _subscribed && _redis.IsConnected;

    public event Action<TokenRevocation?>? Received;

    public void Publish(TokenRevocation revocation)
    {
        if (!_redis.IsConnected) return; // the others re-read the store while their backplane is down
        var payload = JsonSerializer.SerializeToUtf8Bytes(new Wire(_redis.NodeId, revocation.User, revocation.TokenHash));
        try { _redis.Subscriber.Publish(_channel, payload, CommandFlags.FireAndForget); }
        catch (RedisException e) { LogPublishFailed(_log, e); }
    }

    private async Task SubscribeAsync()
    {
        try
        {
            await _redis.Subscriber.SubscribeAsync(_channel, (_, value) => Receive(value));
            _subscribed = true;
            Received?.Invoke(null); // whatever was revoked before this node listened
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            LogSubscribeFailed(_log, e); // retried on the next reconnect; meanwhile tokens are rechecked in the store
        }
    }

    private void Receive(RedisValue value)
    {
        try
        {
            var m = JsonSerializer.Deserialize<Wire>((byte[])value!);
            if (m is null || m.Node == _redis.NodeId || m.User is null) return;
            Received?.Invoke(new TokenRevocation(m.User, m.Token));
        }
        catch (JsonException e) { LogBadMessage(_log, e); }
    }

    private sealed record Wire(string Node, string User, string? Token);

    [LoggerMessage(1, LogLevel.Warning, "Publishing a token revocation to Redis failed; other nodes see it in the store within a heartbeat")]
    private static partial void LogPublishFailed(ILogger logger, Exception e);

    [LoggerMessage(2, LogLevel.Warning, "Subscribing to token revocations failed; cached tokens are checked in the store every heartbeat until it works")]
    private static partial void LogSubscribeFailed(ILogger logger, Exception e);

    [LoggerMessage(3, LogLevel.Warning, "Ignored a malformed revocation message")]
    private static partial void LogBadMessage(ILogger logger, Exception e);
}
