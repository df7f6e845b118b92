using System.Globalization;

namespace CometChat.LoadGen;

/// <summary>Command-line options: <c>&lt;workload&gt; [--name value ...]</c>.</summary>
internal sealed class Options
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public string Workload { get; private init; } = "";

    public static Options Parse(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith('-')) throw new ArgumentException("first argument: the workload (w1, w2, w3, send, rooms, seed-search, search)");
        var o = new Options { Workload = args[0].ToLowerInvariant() };
        for (var i = 1; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"unexpected '{args[i]}'");
            var name = args[i][2..];
            var eq = name.IndexOf('=');
            if (eq >= 0) o._values[name[..eq]] = name[(eq + 1)..];
            else if (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal)) o._values[name] = args[++i];
            else o._values[name] = "true";
        }
        return o;
    }

    public string Server => Get("server", "http://127.0.0.1:5000").TrimEnd('/');
    public string? Key => _values.GetValueOrDefault("key");
    public int? Pid => _values.TryGetValue("pid", out var p) ? int.Parse(p, CultureInfo.InvariantCulture) : null;
    public string Transport => Get("transport", "poll");

    public string Get(string name, string fallback) => _values.GetValueOrDefault(name, fallback);
    public int Int(string name, int fallback) => _values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
}
