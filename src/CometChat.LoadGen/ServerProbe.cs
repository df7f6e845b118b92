using System.Globalization;

namespace CometChat.LoadGen;

/// <summary>What the server process costs, read from /proc/&lt;pid&gt; (Linux), the same way top does.</summary>
internal sealed class ServerProbe(int? pid)
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux

    public bool Available => pid is not null && File.Exists($"/proc/{pid}/stat");

    /// <summary>User + system CPU seconds used so far.</summary>
    public double CpuSeconds()
    {
        if (!Available) return double.NaN;
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // After "pid (comm) ", field 3 (state) is index 0: utime is field 14, stime field 15.
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }

    /// <summary>Resident set size in KiB.</summary>
    public long RssKiB()
    {
        if (!Available) return -1;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        return -1;
    }
}
