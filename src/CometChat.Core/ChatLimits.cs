using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace CometChat.Core;

/// <summary>
/// Every abuse limit in one place, on ASP.NET Core's rate limiters (System.Threading.RateLimiting):
/// sends and typing per user, room changes and creations per user, login attempts per IP and password guesses
/// per name and IP (<c>ChatLimits.Logins.cs</c>), new connections per IP, and
/// concurrent connections per IP. Chat:Limits:Enabled=false lifts them all at once (load tests on
/// loopback); the global connection caps stay, as Kestrel limits. With several nodes, the per-user and
/// per-name limits are also counted across nodes (<see cref="ISharedRateLimits"/>), so spreading requests
/// over nodes does not multiply them; connection caps stay per node.
/// </summary>
internal sealed partial class ChatLimits : IDisposable
{
    private readonly ChatOptions.LimitsSection _o;
    private readonly PartitionedRateLimiter<string> _sends, _typing, _loginsByIp, _connectionsByIp, _roomChanges, _roomCreations, _refusalsByIp, _guestsByIp;
    private readonly Dictionary<string, int> _openByIp = new(StringComparer.Ordinal);
    private readonly ISharedRateLimits? _shared;
    private readonly SharedWindow _sendWindow, _typingWindow, _loginIpWindow, _roomChangeWindow, _roomCreationWindow, _guestIpWindow;
    private readonly OperatorLog _refusals;

    public ChatLimits(IOptions<ChatOptions> options, TimeProvider time, OperatorLog refusals, ISharedRateLimits? shared = null)
    {
        _o = options.Value.Limits;
        _shared = shared;
        _time = time;
        _refusals = refusals;
        // The token buckets' bursts, refilled over the time the rate needs for them, as fixed windows.
        _sendWindow = new("send", RefusalKind.Send, _o.SendBurst, TimeSpan.FromSeconds(Math.Max(1.0, (double)_o.SendBurst / _o.SendsPerSecond)));
        _typingWindow = new("typing", RefusalKind.Typing, _o.TypingPerSecond * 4, TimeSpan.FromSeconds(4));
        _loginIpWindow = new("login-ip", RefusalKind.LoginIp, _o.LoginsPerMinutePerIp, TimeSpan.FromMinutes(1));
        _roomChangeWindow = new("room-change", RefusalKind.RoomChange, _o.RoomChangesPerMinute, TimeSpan.FromMinutes(1));
        _roomCreationWindow = new("room-create", RefusalKind.RoomCreation, _o.RoomsCreatedPerHour, TimeSpan.FromHours(1));
        _roomChanges = Window(_o.RoomChangesPerMinute, TimeSpan.FromMinutes(1));
        _roomCreations = Window(_o.RoomsCreatedPerHour, TimeSpan.FromHours(1));
        _guestIpWindow = new("guest-ip", RefusalKind.GuestIp, _o.GuestsPerMinutePerIp, TimeSpan.FromMinutes(1));
        _sends = Bucket(_o.SendsPerSecond, _o.SendBurst);
        _typing = Bucket(_o.TypingPerSecond, _o.TypingPerSecond * 4);
        _loginsByIp = Window(_o.LoginsPerMinutePerIp, TimeSpan.FromMinutes(1));
        _guestsByIp = Window(_o.GuestsPerMinutePerIp, TimeSpan.FromMinutes(1));
        _connectionsByIp = Bucket(_o.NewConnectionsPerSecondPerIp, _o.NewConnectionsPerSecondPerIp * 4);
        _refusalsByIp = Bucket(_o.NewConnectionsPerSecondPerIp, _o.NewConnectionsPerSecondPerIp);
    }

    public bool Enabled => _o.Enabled;

    /// <summary>Sends and receipts, on every transport.</summary>
    public void CheckSend(string user) => Check(_sends, _sendWindow, user, $"Too many messages from '{user}'; slow down.");

    public void CheckTyping(string user) => Check(_typing, _typingWindow, user, $"Too many typing events from '{user}'.");

    /// <summary>Joins and leaves: each stores a message to every member, so they are limited like sends.</summary>
    public void CheckRoomChange(string user) => Check(_roomChanges, _roomChangeWindow, user, $"Too many room joins and leaves from '{user}'; slow down.");

    public void CheckRoomCreation(string user) => Check(_roomCreations, _roomCreationWindow, user, $"Too many new rooms from '{user}'; join an existing room or wait.");

    /// <summary>Login attempts from one address, whatever the name (a password sprayed over many names).</summary>
    public void CheckLoginRate(string? ip)
    {
        if (ip is not null) Check(_loginsByIp, _loginIpWindow, ip, "Too many login attempts from your address; wait before trying again.");
    }

    /// <summary>A new guest identity (/api/guest) for a visitor from <paramref name="ip"/>.</summary>
    public void CheckGuest(string? ip)
    {
        if (ip is not null) Check(_guestsByIp, _guestIpWindow, ip, "Too many new guests from your address; wait before trying again.");
    }

    /// <summary>
    /// A new TCP connection from <paramref name="ip"/>. Over its rate or its concurrent cap it is refused with an answer
    /// (<see cref="Admission.Answer"/>: a 429 or an ERR line, then closed), while refusals themselves stay within the
    /// same rate; a flood beyond that is dropped unanswered, which costs nothing.
    /// </summary>
    public Admission OpenConnection(string ip)
    {
        if (!_o.Enabled) return Admission.Admit;
        int retry;
        using (var lease = _connectionsByIp.AttemptAcquire(ip))
        {
            retry = lease.IsAcquired ? 0 : lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? (int)Math.Ceiling(after.TotalSeconds) : 1;
        }
        if (retry == 0)
        {
            lock (_openByIp)
            {
                var open = _openByIp.GetValueOrDefault(ip);
                if (open < _o.MaxConnectionsPerIp)
                {
                    _openByIp[ip] = open + 1;
                    return Admission.Admit;
                }
            }
        }
        _refusals.Refused(retry == 0 ? RefusalKind.ConnectionCap : RefusalKind.ConnectionRate, ip);
        using var refusal = _refusalsByIp.AttemptAcquire(ip);
        return refusal.IsAcquired ? Admission.Answer(Math.Max(1, retry)) : Admission.Drop;
    }

    /// <summary>What to do with a new connection: serve it, answer it "too many" (after how many seconds to retry), or drop it.</summary>
    internal readonly record struct Admission(bool Admitted, int RetryAfterSeconds)
    {
        public static readonly Admission Admit = new(true, 0);
        public static readonly Admission Drop = new(false, 0);
        public static Admission Answer(int retryAfterSeconds) => new(false, retryAfterSeconds);
        public bool Answered => !Admitted && RetryAfterSeconds > 0;
    }

    /// <summary>Only for an admitted connection, when it closes.</summary>
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
        throw RateLimited(detail, retry);
    }

    private static ChatException RateLimited(string detail, int retrySeconds)
    {
        var retry = Math.Max(1, retrySeconds);
        return new ChatException(ChatError.RateLimited(detail + $" Retry after {retry} s.")) { RetryAfterSeconds = retry };
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
        _loginsByIp.Dispose();
        _connectionsByIp.Dispose();
        _roomChanges.Dispose();
        _roomCreations.Dispose();
        _refusalsByIp.Dispose();
        _guestsByIp.Dispose();
    }
}

/// <summary>Rate limits counted across every node (Chat:Backplane=redis): fixed windows per name and key.</summary>
internal interface ISharedRateLimits
{
    /// <summary>Null when allowed (or when the count cannot be reached: local limits still hold), else seconds to wait.</summary>
    int? TryAcquire(string name, string key, int permits, TimeSpan window);

    /// <summary>Seconds a name-and-address pair must still wait after its wrong passwords, or null.</summary>
    int? LoginDelay(string key);

    /// <summary>Counts a wrong password; false when the backplane cannot be reached (then the node counts it itself).</summary>
    bool LoginFailed(string key, int freeFailures, int maxDelaySeconds, TimeSpan forgetAfter);

    void LoginSucceeded(string key);
}
