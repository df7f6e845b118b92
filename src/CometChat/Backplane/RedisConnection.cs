using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace CometChat.Backplane;

/// <summary>
/// The node's one Redis multiplexer (Chat:Backplane=redis). It never blocks startup or requests on Redis:
/// it connects in the background, reconnects by itself, fails commands fast while down (no backlog of
/// stale wake-ups), and tells <see cref="Restored"/> listeners when it is back.
/// </summary>
internal sealed partial class RedisConnection : IDisposable
{
    private readonly ILogger<RedisConnection> _log;
    private readonly string _prefix;
    private int _down;

    public RedisConnection(IConfiguration config, IOptions<ChatOptions> options, ILogger<RedisConnection> log)
    {
        _log = log;
        _prefix = options.Value.Redis.Prefix;
        var connectionString = config.GetConnectionString("Redis");
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new InvalidOperationException("Chat:Backplane is 'redis' but ConnectionStrings:Redis is not set.");
        var o = ConfigurationOptions.Parse(connectionString);
        o.AbortOnConnectFail = false;
        o.BacklogPolicy = BacklogPolicy.FailFast;
        o.ConnectTimeout = Math.Min(o.ConnectTimeout, 2000);
        // Presence reads and rate-limit counts wait at most this on a Redis that hangs (one that is down fails at once).
        o.SyncTimeout = Math.Min(o.SyncTimeout, 3000);
        o.AsyncTimeout = Math.Min(o.AsyncTimeout, 3000);
        o.ReconnectRetryPolicy = new LinearRetry(1000);
        o.ClientName = "cometchat-" + NodeId;
        Description = string.Join(",", o.EndPoints.Select(e => e.ToString()));
        Multiplexer = ConnectionMultiplexer.Connect(o);
        Multiplexer.ConnectionFailed += (_, e) =>
        {
            if (Interlocked.Exchange(ref _down, 1) == 0) LogDown(_log, e.Exception, Description, e.FailureType);
            Lost?.Invoke();
        };
        Multiplexer.ConnectionRestored += (_, _) =>
        {
            if (!Multiplexer.IsConnected) return;
            if (Interlocked.Exchange(ref _down, 0) == 1) LogRestored(_log, Description);
            Restored?.Invoke();
        };
        if (!Multiplexer.IsConnected)
        {
            _down = 1;
            LogDown(_log, null, Description, ConnectionFailureType.UnableToConnect);
        }
    }

    /// <summary>Names this process in backplane messages, so it can ignore its own.</summary>
    public string NodeId { get; } = Guid.NewGuid().ToString("N")[..12];

    public string Description { get; }
    public ConnectionMultiplexer Multiplexer { get; }
    public bool IsConnected => Multiplexer.IsConnected;
    public IDatabase Database => Multiplexer.GetDatabase();
    public ISubscriber Subscriber => Multiplexer.GetSubscriber();

    /// <summary>Raised when a connection (interactive or subscription) fails, once until it is back: from now on messages may be missed.</summary>
    public event Action? Lost;

    /// <summary>Raised after a lost connection came back: whatever was published meanwhile was missed.</summary>
    public event Action? Restored;

    public RedisKey Key(string name) => new(_prefix + ":" + name);
    public RedisChannel Channel(string name) => RedisChannel.Literal(_prefix + ":" + name);

    public void Dispose() => Multiplexer.Dispose();

    [LoggerMessage(1, LogLevel.Warning, "Redis backplane {Endpoint} is down ({Failure}): this node keeps serving; other nodes' messages reach it on the next read or heartbeat")]
    private static partial void LogDown(ILogger logger, Exception? e, string endpoint, ConnectionFailureType failure);

    [LoggerMessage(2, LogLevel.Information, "Redis backplane {Endpoint} is back; catching up")]
    private static partial void LogRestored(ILogger logger, string endpoint);
}
