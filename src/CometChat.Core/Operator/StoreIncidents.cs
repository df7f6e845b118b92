namespace CometChat.Core;

/// <summary>
/// A store that fails (locked, read-only, disk full, unreachable) is one incident, told in one line when it starts
/// and one when the next write commits, instead of a stack trace per request that hit it. While it lasts the
/// failures are counted, so the recovery line says how many requests it cost.
/// </summary>
internal sealed partial class StoreIncidents(TimeProvider time, ILogger<StoreIncidents> log)
{
    private readonly Lock _lock = new();
    private long? _since;
    private long _failures;

    public bool Open
    {
        get { lock (_lock) return _since is not null; }
    }

    /// <summary>
    /// True when <paramref name="e"/> is the store failing (then it is counted, and the first one opens the incident),
    /// or a 503 while an incident is open (the writer's answer to a failed batch); false: the caller logs it itself.
    /// </summary>
    public bool Covers(Exception e)
    {
        if (e is not StoreUnavailableException s)
            return e is ChatException { Error.Kind: ChatErrorKind.Unavailable } && Count();
        lock (_lock)
        {
            _failures++;
            if (_since is not null) return true;
            _since = time.GetTimestamp();
        }
        LogFailing(log, s.InnerException is { } inner ? $"{s.Message.TrimEnd('.')} ({inner.Message.TrimEnd('.')})." : s.Message);
        return true;
    }

    /// <summary>A write committed: an open incident is over.</summary>
    public void Committed()
    {
        long since, failures;
        lock (_lock)
        {
            if (_since is not { } start) return;
            (since, failures, _since, _failures) = (start, _failures, null, 0);
        }
        LogRecovered(log, Math.Round(time.GetElapsedTime(since).TotalSeconds, 1), failures);
    }

    private bool Count()
    {
        lock (_lock)
        {
            if (_since is null) return false;
            _failures++;
            return true;
        }
    }

    [LoggerMessage(80, LogLevel.Error, "The store is failing: {Reason} Writes answer 503 and nothing is acknowledged until it recovers, and /healthz answers 503; further failures are counted, not logged, until then")]
    private static partial void LogFailing(ILogger logger, string reason);

    [LoggerMessage(81, LogLevel.Warning, "The store works again after {Seconds} s; {Failures} requests and tasks failed meanwhile")]
    private static partial void LogRecovered(ILogger logger, double seconds, long failures);
}
