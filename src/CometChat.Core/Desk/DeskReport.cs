namespace CometChat.Core;

/// <summary>
/// GET /api/support/report and the desk's figures in /metrics: over sessions opened in a window, per agent
/// (the agent who has or last had the session) and in total, the number of sessions, the median first
/// response (opened to the first agent reply) and time to close (opened to closed), in seconds, and the
/// average rating with the number of ratings. Queued sessions count in the total only.
/// </summary>
internal sealed class DeskReport(IDeskStore store, SupportDesk desk, TimeProvider time)
{
    private ReportView? _cached;
    private long _cachedAt = long.MinValue;

    public async Task<ReportView> ReportAsync(string user, long? from, long? to, CancellationToken ct)
    {
        desk.RequireAgent(user, "read the report");
        var end = to ?? time.GetUtcNow().ToUnixTimeMilliseconds() + 1;
        var start = from ?? 0;
        if (to is not null && start >= end) throw new ChatException(ChatError.BadRequest("'from' must be before 'to'."));
        return Build(start < end ? await store.SessionsOpenedAsync(start, end, ct) : [], start, end);
    }

    /// <summary>All-time figures for /metrics, recomputed at most every 10 seconds so scrapes stay cheap.</summary>
    public async Task<ReportView> MetricsAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (_cached is { } hit && now - Volatile.Read(ref _cachedAt) < 10_000) return hit;
        var report = Build(await store.SessionsOpenedAsync(0, now + 1, ct), 0, now + 1);
        _cached = report;
        Volatile.Write(ref _cachedAt, now);
        return report;
    }

    private ReportView Build(IReadOnlyList<DeskSession> sessions, long from, long to)
    {
        var agents = desk.Agents.Select(a => Figures(a, sessions.Where(s => s.Agent == a).ToList())).ToList();
        // Agents removed from the configuration still had sessions: keep their figures.
        foreach (var gone in sessions.Where(s => s.Agent is not null && !desk.IsAgent(s.Agent)).GroupBy(s => s.Agent!).OrderBy(g => g.Key, StringComparer.Ordinal))
            agents.Add(Figures(gone.Key, [.. gone]));
        return new ReportView(agents, Figures(null, sessions), from, to);
    }

    private static FigureView Figures(string? agent, IReadOnlyList<DeskSession> sessions)
    {
        var ratings = sessions.Where(s => s.Rating is not null).Select(s => (double)s.Rating!.Value).ToList();
        return new FigureView(agent, sessions.Count,
            Median(sessions.Where(s => s.FirstResponseAt is not null).Select(s => s.FirstResponseAt!.Value - s.OpenedAt)),
            Median(sessions.Where(s => s.ClosedAt is not null).Select(s => s.ClosedAt!.Value - s.OpenedAt)),
            ratings.Count > 0 ? Math.Round(ratings.Average(), 2) : null, ratings.Count);
    }

    private static double? Median(IEnumerable<long> milliseconds)
    {
        var sorted = milliseconds.Order().ToArray();
        if (sorted.Length == 0) return null;
        var ms = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2.0;
        return Math.Round(ms / 1000.0, 1);
    }
}
