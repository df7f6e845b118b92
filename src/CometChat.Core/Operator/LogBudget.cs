namespace CometChat.Core;

/// <summary>
/// Keeps a flood from drowning the log: of each kind of event, the first <see cref="PerWindow"/> of a window are
/// logged one by one; the rest are only counted, by whom they came from, until <see cref="Sweep"/> (once a minute)
/// hands back one <see cref="Overflow"/> per kind that went over, and starts the next window.
/// </summary>
internal sealed class LogBudget
{
    public const int PerWindow = 10;
    // Distinct sources remembered per kind and window: a flood from a million addresses still costs bounded memory.
    private const int MaxSources = 1000;
    private readonly Dictionary<string, Tally> _tallies = new(StringComparer.Ordinal);

    /// <summary>True: log this event in full. False: it was counted for the window's summary.</summary>
    public bool Take(string kind, string source)
    {
        lock (_tallies)
        {
            if (!_tallies.TryGetValue(kind, out var t)) _tallies[kind] = t = new Tally();
            if (t.Logged < PerWindow)
            {
                t.Logged++;
                return true;
            }
            t.Suppressed++;
            if (t.Sources.TryGetValue(source, out var n)) t.Sources[source] = n + 1;
            else if (t.Sources.Count < MaxSources) t.Sources[source] = 1;
            return false;
        }
    }

    /// <summary>The kinds that went over budget since the last sweep, with their three biggest sources; starts a new window.</summary>
    public IReadOnlyList<Overflow> Sweep()
    {
        lock (_tallies)
        {
            var overflows = _tallies.Where(t => t.Value.Suppressed > 0)
                .Select(t => new Overflow(t.Key, t.Value.Suppressed,
                    [.. t.Value.Sources.OrderByDescending(s => s.Value).ThenBy(s => s.Key, StringComparer.Ordinal).Take(3).Select(s => (s.Key, s.Value))]))
                .OrderBy(o => o.Kind, StringComparer.Ordinal).ToList();
            _tallies.Clear();
            return overflows;
        }
    }

    private sealed class Tally
    {
        public int Logged;
        public long Suppressed;
        public Dictionary<string, long> Sources { get; } = new(StringComparer.Ordinal);
    }
}

/// <summary><paramref name="Count"/> events of <paramref name="Kind"/> counted but not logged in the last window, and who caused most.</summary>
internal sealed record Overflow(string Kind, long Count, IReadOnlyList<(string Source, long Count)> Top);
