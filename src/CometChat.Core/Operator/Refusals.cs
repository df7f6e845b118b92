namespace CometChat.Core;

/// <summary>What a limit refused; each kind is counted in /metrics (<c>cometchat_refusals_total{kind}</c>) and named by its setting in the log.</summary>
internal enum RefusalKind
{
    Send,
    Typing,
    LoginGuess,
    LoginIp,
    GuestIp,
    RoomChange,
    RoomCreation,
    ConnectionRate,
    ConnectionCap,
    SlowReader,
}

internal static class RefusalKinds
{
    public static readonly RefusalKind[] All = Enum.GetValues<RefusalKind>();

    /// <summary>The <c>kind</c> label: <c>send</c>, <c>typing</c>, <c>login_guess</c>, <c>login_ip</c>, <c>guest_ip</c>, <c>room_change</c>, <c>room_create</c>, <c>connection_rate</c>, <c>connection_cap</c>, <c>slow_reader</c>.</summary>
    public static string Label(this RefusalKind kind) => kind switch
    {
        RefusalKind.Send => "send",
        RefusalKind.Typing => "typing",
        RefusalKind.LoginGuess => "login_guess",
        RefusalKind.LoginIp => "login_ip",
        RefusalKind.GuestIp => "guest_ip",
        RefusalKind.RoomChange => "room_change",
        RefusalKind.RoomCreation => "room_create",
        RefusalKind.ConnectionRate => "connection_rate",
        RefusalKind.ConnectionCap => "connection_cap",
        _ => "slow_reader",
    };

    /// <summary>What was refused, how, and the setting that decides it: what an operator reads to act.</summary>
    public static (string What, string How, string Setting) Describe(this RefusalKind kind) => kind switch
    {
        RefusalKind.Send => ("too many sends and receipts", "answered 429", "Chat:Limits:SendsPerSecond and SendBurst"),
        RefusalKind.Typing => ("too many typing events", "answered 429", "Chat:Limits:TypingPerSecond"),
        RefusalKind.LoginGuess => ("a name guessed with wrong passwords from one address", "answered 429 until its delay passes", "Chat:Limits:LoginFreeFailures and LoginMaxDelaySeconds"),
        RefusalKind.LoginIp => ("too many login attempts from this address", "answered 429", "Chat:Limits:LoginsPerMinutePerIp"),
        RefusalKind.GuestIp => ("too many new guests from this address", "answered 429", "Chat:Limits:GuestsPerMinutePerIp"),
        RefusalKind.RoomChange => ("too many room joins and leaves", "answered 429", "Chat:Limits:RoomChangesPerMinute"),
        RefusalKind.RoomCreation => ("too many new rooms", "answered 429", "Chat:Limits:RoomsCreatedPerHour"),
        RefusalKind.ConnectionRate => ("too many new connections from this address", "answered 429 (or dropped under a flood)", "Chat:Limits:NewConnectionsPerSecondPerIp"),
        RefusalKind.ConnectionCap => ("too many open connections from this address", "answered 429 (or dropped under a flood)", "Chat:Limits:MaxConnectionsPerIp"),
        _ => ("a reader that accepted nothing", "cut off; it resumes from its cursor", "Chat:Stream:WriteTimeoutSeconds"),
    };
}
