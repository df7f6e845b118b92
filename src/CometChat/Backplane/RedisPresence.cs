using System.Globalization;
using CometChat.Core;
using StackExchange.Redis;

namespace CometChat.Backplane;

/// <summary>
/// Presence across nodes: one Redis hash per user, one field per node holding that node's
/// "lastSeen:onlineUntil" (epoch ms, the nodes' own clock). A node that dies stops refreshing its field,
/// so its users fall offline when onlineUntil passes. The key itself expires a day after the last report.
/// </summary>
internal sealed class RedisPresence(RedisConnection redis) : IClusterPresence
{
    private static readonly TimeSpan KeyLifetime = TimeSpan.FromDays(1);

    public void Report(string user, long lastSeen, long onlineUntil)
    {
        if (!redis.IsConnected) return;
        var key = redis.Key("presence:" + user);
        var value = lastSeen.ToString(CultureInfo.InvariantCulture) + ":" + onlineUntil.ToString(CultureInfo.InvariantCulture);
        try
        {
            var batch = redis.Database.CreateBatch();
            _ = batch.HashSetAsync(key, redis.NodeId, value, flags: CommandFlags.FireAndForget);
            _ = batch.KeyExpireAsync(key, KeyLifetime, flags: CommandFlags.FireAndForget);
            batch.Execute();
        }
        catch (RedisException) { } // presence is advisory; this node's own view still holds
    }

    public PresenceReport? Read(string user)
    {
        if (!redis.IsConnected) return null;
        HashEntry[] fields;
        try { fields = redis.Database.HashGetAll(redis.Key("presence:" + user)); }
        catch (Exception e) when (e is RedisException or TimeoutException) { return null; }
        if (fields.Length == 0) return null;
        var any = false;
        long lastSeen = 0, onlineUntil = 0;
        foreach (var f in fields)
        {
            // This node's own view is its local state, on its monotonic clock; its report is for the others.
            if (f.Name == redis.NodeId) continue;
            var parts = ((string?)f.Value ?? "").Split(':');
            if (parts.Length != 2
                || !long.TryParse(parts[0], CultureInfo.InvariantCulture, out var seen)
                || !long.TryParse(parts[1], CultureInfo.InvariantCulture, out var until)) continue;
            any = true;
            lastSeen = Math.Max(lastSeen, seen);
            onlineUntil = Math.Max(onlineUntil, until);
        }
        return any ? new PresenceReport(lastSeen, onlineUntil) : null;
    }
}
