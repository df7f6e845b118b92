using CometChat.Core;
using StackExchange.Redis;

namespace CometChat.Backplane;

/// <summary>
/// Rate limits counted across nodes: one Redis counter per (limit, key, window), incremented atomically
/// and expiring with its window; and login guesses per name and address, whose delays are Redis key expiries
/// (so no node's clock decides them). While Redis is down the checks pass: each node's own limits still hold.
/// </summary>
internal sealed class RedisRateLimits(RedisConnection redis, TimeProvider time) : ISharedRateLimits
{
    private const string Increment =
        "local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return n";

    // KEYS: failures, wait. ARGV: free failures, max delay s, forget-after ms.
    private const string Failure =
        "local n = redis.call('INCR', KEYS[1]) redis.call('PEXPIRE', KEYS[1], ARGV[3]) " +
        "local over = n - tonumber(ARGV[1]) " +
        "if over > 0 then redis.call('SET', KEYS[2], 1, 'PX', math.min(tonumber(ARGV[2]), 2 ^ math.min(over - 1, 30)) * 1000) end return n";

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

    public int? LoginDelay(string key)
    {
        if (!redis.IsConnected) return null;
        try
        {
            var left = redis.Database.KeyTimeToLive(redis.Key("login-wait:" + key));
            return left is { TotalMilliseconds: > 0 } l ? (int)Math.Ceiling(l.TotalSeconds) : null;
        }
        catch (Exception e) when (e is RedisException or TimeoutException) { return null; }
    }

    public bool LoginFailed(string key, int freeFailures, int maxDelaySeconds, TimeSpan forgetAfter)
    {
        if (!redis.IsConnected) return false;
        try
        {
            redis.Database.ScriptEvaluate(Failure, [redis.Key("login-fail:" + key), redis.Key("login-wait:" + key)],
                [freeFailures, maxDelaySeconds, (long)forgetAfter.TotalMilliseconds]);
            return true;
        }
        catch (Exception e) when (e is RedisException or TimeoutException) { return false; }
    }

    public void LoginSucceeded(string key)
    {
        if (!redis.IsConnected) return;
        try { redis.Database.KeyDelete([redis.Key("login-fail:" + key), redis.Key("login-wait:" + key)], CommandFlags.FireAndForget); }
        catch (RedisException) { }
    }
}
