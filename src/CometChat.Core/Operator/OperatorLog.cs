namespace CometChat.Core;

/// <summary>
/// The events an operator acts on, logged at their level and counted for /metrics: logins (Information), refusals
/// by a limit (Information: one user over a limit is the limit working) and 503s outside a store incident
/// (Warning). Under a flood each kind is logged one by one only up to <see cref="LogBudget.PerWindow"/> a minute;
/// the rest become one Warning line a minute with their count and biggest sources (<see cref="Sweep"/>).
/// </summary>
internal sealed partial class OperatorLog(ChatStats stats, TimeProvider time, ILogger<OperatorLog> log) : BackgroundService
{
    private readonly LogBudget _budget = new();

    public void Refused(RefusalKind kind, string who)
    {
        stats.Refused(kind);
        if (!_budget.Take(kind.Label(), who)) return;
        var (what, how, setting) = kind.Describe();
        LogRefused(log, who, what, how, setting);
    }

    public void LoggedIn(string user, string? address)
    {
        stats.LoggedIn(succeeded: true);
        if (_budget.Take("login", address ?? "unknown")) LogLogin(log, user, address ?? "unknown");
    }

    /// <summary>A wrong password, or a first login's name taken meanwhile: 401.</summary>
    public void LoginFailed(string name, string? address)
    {
        stats.LoggedIn(succeeded: false);
        if (_budget.Take("login_failed", $"{name} from {address ?? "unknown"}")) LogLoginFailed(log, name, address ?? "unknown");
    }

    /// <summary>A 503 that no store incident explains (the write queue full, say).</summary>
    public void Unavailable(string path, string detail)
    {
        if (_budget.Take("unavailable", path)) LogUnavailable(log, path, detail);
    }

    /// <summary>Logs one summary line per kind that went over budget in the last minute; the timer below calls it.</summary>
    public void Sweep()
    {
        foreach (var o in _budget.Sweep())
        {
            var what = RefusalKinds.All.Where(k => k.Label() == o.Kind).Select(k => $"refusals ({k.Describe().What}, over {k.Describe().Setting})").FirstOrDefault()
                ?? o.Kind switch { "login" => "logins", "login_failed" => "failed logins (wrong password)", _ => "503 answers" };
            LogOverflow(log, o.Count, what, string.Join(", ", o.Top.Select(t => $"{t.Source} {t.Count}")));
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) Sweep();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        Sweep(); // what the last minute counted is still worth a line at shutdown
    }

    [LoggerMessage(70, LogLevel.Information, "Refused {Who}: {What} ({How}; the limit is {Setting})")]
    private static partial void LogRefused(ILogger logger, string who, string what, string how, string setting);

    [LoggerMessage(71, LogLevel.Information, "Login: {User} from {Address}")]
    private static partial void LogLogin(ILogger logger, string user, string address);

    [LoggerMessage(72, LogLevel.Information, "Login refused: wrong password for {Name} from {Address}")]
    private static partial void LogLoginFailed(ILogger logger, string name, string address);

    [LoggerMessage(73, LogLevel.Warning, "Answered 503 to {Path}: {Detail}")]
    private static partial void LogUnavailable(ILogger logger, string path, string detail);

    [LoggerMessage(74, LogLevel.Warning, "{Count} more {What} in the last minute, not logged one by one; most from: {Top}")]
    private static partial void LogOverflow(ILogger logger, long count, string what, string top);
}
