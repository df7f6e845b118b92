using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace CometChat.Core;

/// <summary>
/// Every abuse limit in one place, on ASP.NET Core's rate limiters (System.Threading.RateLimiting):
/// sends and typing per user, login attempts per name and per IP, new connections per IP, and
/// concurrent connections per IP. Chat:Limits:Enabled=false lifts them all at once (load tests on
/// loopback); the global connection caps stay, as Kestrel limits. With several nodes, the per-user and
/// per-name limits are also counted across nodes (<see cref="ISharedRateLimits"/>), so spreading requests
/// over nodes does not multiply them; connection caps stay per node.
/// </summary>
internal sealed class ChatLimits : IDisposable
{
    private readonly ChatOptions.LimitsSection _o;
    private readonly PartitionedRateLimiter<string> _sends, _typing, _loginsByName, _loginsByIp, _connectionsByIp, _guestsByIp;
    private readonly Dictionary<string, int> _openByIp = new(StringComparer.Ordinal);
    private readonly ISharedRateLimits? _shared;
    private readonly SharedWindow _sendWindow, _typingWindow, _loginNameWindow, _loginIpWindow, _guestIpWindow;
    private readonly OperatorLog _refusals;

    public ChatLimits(IOptions<ChatOptions> options, OperatorLog refusals, ISharedRateLimits? shared = null)
    {
        _o = options.Value.Limits;
        _shared = shared;
        _refusals = refusals;
        // The token buckets' bursts, refilled over the time the rate needs for them, as fixed windows.
        _sendWindow = new("send", RefusalKind.Send, _o.SendBurst, TimeSpan.FromSeconds(Math.Max(1.0, (double)_o.SendBurst / _o.SendsPerSecond)));
        _typingWindow = new("typing", RefusalKind.Typing, _o.TypingPerSecond * 4, TimeSpan.FromSeconds(4));
        _loginNameWindow = new("login-name", RefusalKind.LoginName, _o.LoginsPerMinutePerName, TimeSpan.FromMinutes(1));
        _loginIpWindow = new("login-ip", RefusalKind.LoginIp, _o.LoginsPerMinutePerIp, TimeSpan.FromMinutes(1));
        _guestIpWindow = new("guest-ip", RefusalKind.GuestIp, _o.GuestsPerMinutePerIp, TimeSpan.FromMinutes(1));
        _sends = Bucket(_o.SendsPerSecond, _o.SendBurst);
        _typing = Bucket(_o.TypingPerSecond, _o.TypingPerSecond * 4);
        _loginsByName = Window(_o.LoginsPerMinutePerName, TimeSpan.FromMinutes(1));
        _loginsByIp = Window(_o.LoginsPerMinutePerIp, TimeSpan.FromMinutes(1));
        _guestsByIp = Window(_o.GuestsPerMinutePerIp, TimeSpan.FromMinutes(1));
        _connectionsByIp = Bucket(_o.NewConnectionsPerSecondPerIp, _o.NewConnectionsPerSecondPerIp * 4);
    }

    public bool Enabled => _o.Enabled;

    /// <summary>Sends and receipts, on every transport.</summary>
    public void CheckSend(string user) => Check(_sends, _sendWindow, user, $"Too many messages from '{user}'; slow down.");

    public void CheckTyping(string user) => Check(_typing, _typingWindow, user, $"Too many typing events from '{user}'.");

    public void CheckLogin(string name, string? ip)
    {
        Check(_loginsByName, _loginNameWindow, name, $"Too many login attempts for 'name' {name}; wait before trying again.");
        if (ip is not null) Check(_loginsByIp, _loginIpWindow, ip, "Too many login attempts from your address; wait before trying again.");
    }

    /// <summary>A new guest identity (/api/guest) for a visitor from <paramref name="ip"/>.</summary>
    public void CheckGuest(string? ip)
    {
        if (ip is not null) Check(_guestsByIp, _guestIpWindow, ip, "Too many new guests from your address; wait before trying again.");
    }

    /// <summary>A new TCP connection from <paramref name="ip"/>: false when its rate or its concurrent cap is exceeded.</summary>
    public bool TryOpenConnection(string ip)
    {
        if (!_o.Enabled) return true;
        using (var lease = _connectionsByIp.AttemptAcquire(ip))
        {
            if (!lease.IsAcquired)
            {
                _refusals.Refused(RefusalKind.ConnectionRate, ip);
                return false;
            }
        }
        lock (_openByIp)
        {
            var open = _openByIp.GetValueOrDefault(ip);
            if (open < _o.MaxConnectionsPerIp)
            {
                _openByIp[ip] = open + 1;
                return true;
            }
        }
        _refusals.Refused(RefusalKind.ConnectionCap, ip);
        return false;
    }

    public void CloseConnection(string ip)
    {
        if (!_o.Enabled) return;
        lock (_openByIp)
        {
            if (!_openByIp.TryGetValue(ip, out var open)) return;
            if (open <= 1) _openByIp.Remove(ip);
            else _openByIp[ip] = open - 1;
        }
    }

    private void Check(PartitionedRateLimiter<string> limiter, SharedWindow window, string key, string detail)
    {
        if (!_o.Enabled) return;
        int retry;
        using (var lease = limiter.AttemptAcquire(key))
        {
            if (lease.IsAcquired)
            {
                if (_shared?.TryAcquire(window.Name, key, window.Permits, window.Length) is not { } wait) return;
                retry = wait;
            }
            else retry = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? (int)Math.Ceiling(after.TotalSeconds) : 1;
        }
        _refusals.Refused(window.Kind, key);
        throw new ChatException(ChatError.RateLimited(detail + $" Retry after {Math.Max(1, retry)} s.")) { RetryAfterSeconds = Math.Max(1, retry) };
    }

    private readonly record struct SharedWindow(string Name, RefusalKind Kind, int Permits, TimeSpan Length);

    private static PartitionedRateLimiter<string> Bucket(int perSecond, int burst) =>
        PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, burst),
            TokensPerPeriod = Math.Max(1, perSecond),
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }), StringComparer.Ordinal);

    private static PartitionedRateLimiter<string> Window(int permits, TimeSpan window) =>
        PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetSlidingWindowLimiter(key, _ => new SlidingWindowRateLimiterOptions
        {
            PermitLimit = Math.Max(1, permits),
            Window = window,
            SegmentsPerWindow = 6,
            QueueLimit = 0,
            AutoReplenishment = true,
        }), StringComparer.Ordinal);

    public void Dispose()
    {
        _sends.Dispose();
        _typing.Dispose();
        _loginsByName.Dispose();
        _loginsByIp.Dispose();
        _connectionsByIp.Dispose();
        _guestsByIp.Dispose();
    }
}

/// <summary>Rate limits counted across every node (Chat:Backplane=redis): fixed windows per name and key.</summary>
internal interface ISharedRateLimits
{
    /// <summary>Null when allowed (or when the count cannot be reached: local limits still hold), else seconds to wait.</summary>
    int? TryAcquire(string name, string key, int permits, TimeSpan window);
}
