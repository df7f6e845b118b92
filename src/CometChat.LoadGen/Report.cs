using System.Globalization;
using System.Text;

namespace CometChat.LoadGen;

/// <summary>One line of <c>key=value</c> figures per run, so runs can be compared with grep and diff.</summary>
internal sealed class Report
{
    private readonly StringBuilder _line = new();

    public Report() { }

    public Report(string workload) => Add("workload", workload);

    public Report Add(string key, object value)
    {
        if (_line.Length > 0) _line.Append(' ');
        _line.Append(key).Append('=').Append(value switch
        {
            double d => d.ToString(d >= 100 ? "F0" : "F2", CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString(),
        });
        return this;
    }

    public Report Percentiles(string prefix, List<double> samples)
    {
        if (samples.Count == 0) return Add(prefix + "_p50_ms", "na");
        samples.Sort();
        return Add(prefix + "_p50_ms", At(samples, 0.50)).Add(prefix + "_p95_ms", At(samples, 0.95)).Add(prefix + "_p99_ms", At(samples, 0.99)).Add(prefix + "_max_ms", samples[^1]);
    }

    private static double At(List<double> sorted, double q) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];

    public override string ToString() => _line.ToString();
}
