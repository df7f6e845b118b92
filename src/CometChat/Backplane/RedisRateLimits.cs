using CometChat.Core;
using StackExchange.Redis;

namespace CometChat.Backplane;

/// <summary>
/// Rate limits counted across nodes: one Redis counter per (limit, key, window), incremented atomically
/// and expiring with its window. While Redis is down the check passes: each node's own limits still hold.
/// </summary>
internal sealed class RedisRateLimits(RedisConnection redis, TimeProvider time) : ISharedRateLimits
{
    private const string Increment =
        "local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return n";

    public int? TryAcquire(string name, string key, int permits, TimeSpan window)
    {
        if (!redis.IsConnected) return null;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var length = (long)window.TotalMilliseconds;
        var index = now / length;
        long count;
        try
        {
            count = (long)redis.Database.ScriptEvaluate(Increment,
                [redis.Key($"rate:{name}:{key}:{index}")], [length * 2]);
        }
        catch (Exception e) when (e is RedisException or TimeoutException) { return null; }
        if (count <= permits) return null;
        return (int)Math.Ceiling(((index + 1) * length - now) / 1000.0);
    }
}
