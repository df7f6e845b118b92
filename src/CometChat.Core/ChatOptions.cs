using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace CometChat;

/// <summary>
/// The <c>Chat</c> configuration section. Defaults live here and in appsettings.json only. Every section is
/// validated at start (<see cref="ChatOptionsValidator"/>, generated): a bad value stops the server with a
/// message naming the setting. A list with a non-empty default starts empty and gets its default only when
/// nothing is configured (<see cref="ApplyListDefaults"/>), because configuration binding appends to a list it
/// finds filled: <c>Chat:Cors:Origins=["http://shop.example"]</c> must mean only that origin.
/// </summary>
public sealed class ChatOptions
{
    public const string Section = "Chat";

    /// <summary><c>sqlite</c> (one node, <see cref="Database"/>) or <c>postgres</c> (any number of nodes sharing ConnectionStrings:Postgres).</summary>
    [RegularExpression(@"^(sqlite|postgres)\z", ErrorMessage = "Chat:Store must be 'sqlite' or 'postgres'.")]
    public string Store { get; set; } = "sqlite";
    /// <summary><c>none</c> (one node) or <c>redis</c>: wake-ups, typing, presence and rate limits across nodes over ConnectionStrings:Redis.</summary>
    [RegularExpression(@"^(none|redis)\z", ErrorMessage = "Chat:Backplane must be 'none' or 'redis'.")]
    public string Backplane { get; set; } = "none";
    [Required] public string Database { get; set; } = "cometchat.db";
    /// <summary>How long a write waits for a lock held by another process before answering 503.</summary>
    [Range(1, 600)] public int DatabaseBusyTimeoutSeconds { get; set; } = 5;
    [Range(1, 1_000_000)] public int MaxBodyChars { get; set; } = 4000;
    [Range(1, 3600)] public int HeartbeatSeconds { get; set; } = 15;
    [Range(1, 10_000)] public int MaxParkedPerUser { get; set; } = 6;
    /// <summary>
    /// Memory for recently committed messages, so woken readers skip the store: a size in bytes, with an optional
    /// unit (<c>64MiB</c>, <c>512KB</c>, <c>1GiB</c>); <c>0</c> turns it off.
    /// </summary>
    [ByteSize] public string RecentMessages { get; set; } = "32MiB";

    /// <summary><see cref="RecentMessages"/> in bytes.</summary>
    public long RecentMessagesBytes => ByteSizeAttribute.Parse(RecentMessages) ?? 0;
    public string StaticRoot { get; set; } = "static";
    /// <summary>How long after sending a sender may recall a text or file message (API.md §8).</summary>
    [Range(0, 31_536_000)] public int RecallSeconds { get; set; } = 120;
    /// <summary>How long after sending a sender may edit a text or file message (API.md §8).</summary>
    [Range(0, 31_536_000)] public int EditSeconds { get; set; } = 900;
    [ValidateObjectMembers] public FilesSection Files { get; set; } = new();
    [ValidateObjectMembers] public HttpSection Http { get; set; } = new();
    [ValidateObjectMembers] public AuthSection Auth { get; set; } = new();
    [ValidateObjectMembers] public PollSection Poll { get; set; } = new();
    [ValidateObjectMembers] public StreamSection Stream { get; set; } = new();
    [ValidateObjectMembers] public SocketSection Socket { get; set; } = new();
    [ValidateObjectMembers] public PresenceSection Presence { get; set; } = new();
    [ValidateObjectMembers] public CorsSection Cors { get; set; } = new();
    [ValidateObjectMembers] public SupportSection Support { get; set; } = new();
    [ValidateObjectMembers] public LimitsSection Limits { get; set; } = new();
    [ValidateObjectMembers] public RedisSection Redis { get; set; } = new();
    [ValidateObjectMembers] public RetentionSection Retention { get; set; } = new();
    [ValidateObjectMembers] public SmtpSection Smtp { get; set; } = new();
    /// <summary>The site's backends told of desk events (API.md §7): each <c>{"Url","Secret","Events":[...]}</c>.</summary>
    [ValidateEnumeratedItems] public WebhookOptions[] Webhooks { get; set; } = [];
    /// <summary>How long a webhook delivery or reply email is retried (exponential backoff) before it is given up.</summary>
    [Range(1, 24 * 30)] public int WebhookRetryHours { get; set; } = 24;

    /// <summary>Gives each list setting with a non-empty default that default when configuration named no item of it.</summary>
    public ChatOptions ApplyListDefaults()
    {
        if (Cors.Origins.Length == 0) Cors.Origins = CorsSection.DefaultOrigins;
        return this;
    }

    /// <summary>Other nodes write to the same store.</summary>
    public bool SharedStore => Store == "postgres";
    public bool RedisBackplane => Backplane == "redis";

    public sealed class HttpSection : IValidatableObject
    {
        [Required] public string Address { get; set; } = "localhost";
        [Range(0, 65535)] public int Port { get; set; } = 5000;
        /// <summary>
        /// Reverse proxies (addresses or CIDR ranges) whose X-Forwarded-For is believed: behind them a request's address
        /// is the client's, for the per-address limits. Empty: X-Forwarded-For is ignored (anyone can write it).
        /// </summary>
        public string[] TrustedProxies { get; set; } = [];

        /// <summary>An address (<c>10.0.0.5</c>) or a CIDR range (<c>10.0.0.0/8</c>) of <see cref="TrustedProxies"/>, else false.</summary>
        public static bool TryParseProxy(string entry, out System.Net.IPAddress? address, out System.Net.IPNetwork network)
        {
            network = default;
            address = null;
            return entry.Contains('/') ? System.Net.IPNetwork.TryParse(entry, out network) : System.Net.IPAddress.TryParse(entry, out address);
        }

        public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
        {
            foreach (var entry in TrustedProxies)
                if (!TryParseProxy(entry, out _, out _))
                    yield return new ValidationResult($"Chat:Http:TrustedProxies: '{entry}' is not an IP address or a CIDR range (e.g. 10.0.0.0/8).", [nameof(TrustedProxies)]);
        }
    }

    public sealed class AuthSection : IValidatableObject
    {
        public string? Key { get; set; }
        [Range(1, 24 * 366)] public int TokenHours { get; set; } = 24;
        [Range(1000, 10_000_000)] public int HashIterations { get; set; } = 100_000;
        /// <summary>
        /// Password hashes (from <c>hash-password</c>) of reserved names, by name: the only passwords an agent or
        /// another reserved name signs in with. A name listed here is reserved too.
        /// </summary>
        public Dictionary<string, string> Passwords { get; set; } = [];
        /// <summary>Names the operator keeps: no first login may claim them (agents and built-in role names are kept anyway).</summary>
        public string[] ReservedNames { get; set; } = [];
        /// <summary>Lifetime of guest tokens from /api/guest: the widget keeps the identity this long.</summary>
        [Range(1, 24 * 366)] public int GuestTokenHours { get; set; } = 24 * 30;

        public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
        {
            foreach (var (name, hash) in Passwords)
            {
                if (!Core.Names.TryNormalize(name, out _))
                    yield return new ValidationResult($"Chat:Auth:Passwords: '{name}' is not a valid user name.", [nameof(Passwords)]);
                if (!Core.PasswordHash.IsWellFormed(hash))
                    yield return new ValidationResult(
                        $"Chat:Auth:Passwords:{name} is not a password hash; make one with: dotnet run --project src/CometChat -- hash-password", [nameof(Passwords)]);
            }
            foreach (var name in ReservedNames)
                if (!Core.Names.TryNormalize(name, out _))
                    yield return new ValidationResult($"Chat:Auth:ReservedNames: '{name}' is not a valid user name.", [nameof(ReservedNames)]);
        }
    }

    public sealed class PollSection
    {
        [Range(0, 60)] public int DefaultTimeoutSeconds { get; set; } = 25;
    }

    public sealed class StreamSection
    {
        [Range(1, 86_400)] public int MaxSeconds { get; set; } = 300;
        [Range(1, 3600)] public int WriteTimeoutSeconds { get; set; } = 30;
    }

    public sealed class SocketSection
    {
        public bool Enabled { get; set; } = true;
        [Required] public string Address { get; set; } = "localhost";
        [Range(0, 65535)] public int Port { get; set; } = 5001;
        [Range(256, 16 * 1024 * 1024)] public int MaxLineBytes { get; set; } = 64 * 1024;
        [Range(1, 86_400)] public int IdleSeconds { get; set; } = 120;
        /// <summary>A new TCP connection must send its AUTH line (or Flash policy request) within this, or it is closed.</summary>
        [Range(1, 600)] public int AuthSeconds { get; set; } = 10;
    }

    public sealed class PresenceSection
    {
        [Range(0, 3600)] public int GraceSeconds { get; set; } = 10;
    }

    public sealed class CorsSection : IValidatableObject
    {
        public static readonly string[] DefaultOrigins = ["*"];

        /// <summary><c>*</c>, or origins like <c>http://shop.example</c>; also the Flash socket policy's domains. Default <c>*</c>.</summary>
        public string[] Origins { get; set; } = [];

        public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
        {
            foreach (var origin in Origins)
                if (origin != "*" && !(Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.AbsolutePath == "/" && !origin.EndsWith('/')))
                    yield return new ValidationResult($"Chat:Cors:Origins: '{origin}' is neither '*' nor an origin like 'http://shop.example'.", [nameof(Origins)]);
        }
    }

    public sealed class LimitsSection
    {
        /// <summary>False lifts every rate limit and per-IP cap at once (load tests on loopback).</summary>
        public bool Enabled { get; set; } = true;
        [Range(1, 100_000)] public int SendsPerSecond { get; set; } = 10;
        [Range(1, 100_000)] public int SendBurst { get; set; } = 50;
        [Range(1, 100_000)] public int TypingPerSecond { get; set; } = 5;
        /// <summary>Room joins and leaves per user per minute (each stores a message to every member).</summary>
        [Range(1, 100_000)] public int RoomChangesPerMinute { get; set; } = 30;
        [Range(1, 100_000)] public int RoomsCreatedPerHour { get; set; } = 20;
        /// <summary>Wrong passwords per name and address before each further one doubles the wait (OWASP login throttling).</summary>
        [Range(1, 1000)] public int LoginFreeFailures { get; set; } = 5;
        [Range(1, 86_400)] public int LoginMaxDelaySeconds { get; set; } = 900;
        /// <summary>Login attempts per address per minute, any name: sized for an office of 300 behind one address signing in at 9:00.</summary>
        [Range(1, 100_000)] public int LoginsPerMinutePerIp { get; set; } = 600;
        /// <summary>
        /// New connections per address per second (bursts of four times that), and open connections per address. Sized
        /// for an office of 300 behind one address opening the page at 9:00: 300 browsers × up to 6 connections each.
        /// Connections from Chat:Http:TrustedProxies are exempt (they carry many clients; their requests are limited per client).
        /// </summary>
        [Range(1, 100_000)] public int NewConnectionsPerSecondPerIp { get; set; } = 200;
        [Range(1, 1_000_000)] public int MaxConnectionsPerIp { get; set; } = 2000;
        [Range(1, 10_000_000)] public int MaxConnections { get; set; } = 50_000;
        [Range(1, 10_000_000)] public int MaxUpgradedConnections { get; set; } = 20_000;
        [Range(1024, 64 * 1024 * 1024)] public int MaxRequestBodyBytes { get; set; } = 64 * 1024;
        [Range(256, 65536)] public int MaxUrlChars { get; set; } = 2048;
        [Range(1, 600)] public int RequestHeadersTimeoutSeconds { get; set; } = 15;
        /// <summary>An HTTP connection that sends nothing (a new one, or one idle between requests) is closed after this (Kestrel's keep-alive timeout).</summary>
        [Range(1, 3600)] public int KeepAliveSeconds { get; set; } = 10;
        [Range(1, 1_000_000)] public int MinBodyBytesPerSecond { get; set; } = 240;
        [Range(2, 600)] public int BodyRateGraceSeconds { get; set; } = 5; // Kestrel needs more than 1 s
        /// <summary>New guest identities (/api/guest) per client address per minute.</summary>
        [Range(1, 100_000)] public int GuestsPerMinutePerIp { get; set; } = 30;
    }

    public sealed class FilesSection
    {
        /// <summary>The largest file accepted, in bytes (a size like <c>10MiB</c>); larger is 413.</summary>
        [ByteSize] public string MaxBytes { get; set; } = "10MiB";
        /// <summary>Files one user may upload in any 24 hours; more is 429.</summary>
        [Range(1, 1_000_000)] public int PerUserPerDay { get; set; } = 200;
        /// <summary>A folder for file contents (one node, or a folder every node shares); null keeps them in the store.</summary>
        public string? Folder { get; set; }

        public long MaxBytesValue => ByteSizeAttribute.Parse(MaxBytes) ?? 0;
    }

    public sealed class RedisSection
    {
        /// <summary>Prefix of every Redis key and channel, so several clusters can share one Redis.</summary>
        [Required, RegularExpression(@"^[A-Za-z0-9_.:-]{1,64}\z")] public string Prefix { get; set; } = "cometchat";
    }

    public sealed class RetentionSection
    {
        /// <summary>Message bodies older than this many days are erased (rows and cursors stay); 0 keeps everything.</summary>
        [Range(0, 36_500)] public int Days { get; set; }
    }

    public sealed class SupportSection : IValidatableObject
    {
        public string[] Agents { get; set; } = [];
        /// <summary><c>auto</c>: new sessions go to the least-loaded available agent; <c>manual</c>: agents claim them from the queue.</summary>
        [RegularExpression(@"^(auto|manual)\z", ErrorMessage = "Chat:Support:Routing must be 'auto' or 'manual'.")]
        public string Routing { get; set; } = "auto";
        /// <summary>The most open sessions auto-routing gives one agent (claims and transfers may exceed it).</summary>
        [Range(1, 1000)] public int MaxSessionsPerAgent { get; set; } = 5;
        /// <summary>Weekly opening hours, e.g. <c>Mon-Fri 09:00-18:00; Sat 10:00-14:00</c>; empty: always open.</summary>
        public string Hours { get; set; } = "";
        /// <summary>The IANA time zone of <see cref="Hours"/>.</summary>
        [Required] public string TimeZone { get; set; } = "UTC";
        /// <summary>A reply the customer has not seen (no open connection) this long is emailed to their contact address.</summary>
        [Range(0, 86_400)] public int EmailAfterSeconds { get; set; } = 60;
        /// <summary>The link back to the chat in reply emails; when unset, the page the customer wrote from.</summary>
        public string? ChatUrl { get; set; }

        public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
        {
            string? problem = null;
            try { _ = new Core.DeskHours(Hours, TimeZone); }
            catch (InvalidOperationException e) { problem = e.Message; }
            if (problem is not null) yield return new ValidationResult(problem, [nameof(Hours)]);
        }
    }

    public sealed class SmtpSection
    {
        /// <summary>Unset: no email is sent (offline replies stay in the chat only).</summary>
        public string? Host { get; set; }
        [Range(1, 65535)] public int Port { get; set; } = 587;
        public string? User { get; set; }
        public string? Password { get; set; }
        public string From { get; set; } = "support@localhost";
        /// <summary>Upgrade the connection with STARTTLS (required when true); false sends in the clear (a local relay).</summary>
        public bool StartTls { get; set; } = true;
        public bool Enabled => !string.IsNullOrEmpty(Host);
    }

    public sealed class WebhookOptions : IValidatableObject
    {
        [Required] public string Url { get; set; } = "";
        [Required] public string Secret { get; set; } = "";
        /// <summary>Event types sent to this URL; empty: all of them.</summary>
        public string[] Events { get; set; } = [];

        public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
        {
            if (!(Uri.TryCreate(Url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
                yield return new ValidationResult($"Chat:Webhooks: '{Url}' is not an http or https URL.", [nameof(Url)]);
            foreach (var e in Events)
                if (!Core.DeskEvents.Types.Contains(e))
                    yield return new ValidationResult($"Chat:Webhooks:Events: '{e}' is not one of {string.Join(", ", Core.DeskEvents.Types)}.", [nameof(Events)]);
        }
    }
}

/// <summary>A size in bytes: digits, then optionally B, KB/KiB, MB/MiB or GB/GiB (all powers of 1024), case-insensitive.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ByteSizeAttribute : ValidationAttribute
{
    public ByteSizeAttribute() : base("{0} must be a size in bytes such as 33554432, 32MiB or 512KB (0 turns it off).") { }

    public override bool IsValid(object? value) => value is string s && Parse(s) is not null;

    public static long? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var t = text.Trim();
        var digits = 0;
        while (digits < t.Length && char.IsAsciiDigit(t[digits])) digits++;
        if (digits == 0 || !long.TryParse(t.AsSpan(0, digits), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)) return null;
        long unit = t[digits..].Trim().ToUpperInvariant() switch
        {
            "" or "B" => 1,
            "KB" or "KIB" or "K" => 1L << 10,
            "MB" or "MIB" or "M" => 1L << 20,
            "GB" or "GIB" or "G" => 1L << 30,
            _ => 0,
        };
        if (unit == 0 || n > long.MaxValue / unit) return null;
        return n * unit;
    }
}

/// <summary>The generated validator of <see cref="ChatOptions"/> and every nested section.</summary>
[OptionsValidator]
public sealed partial class ChatOptionsValidator : IValidateOptions<ChatOptions>;
