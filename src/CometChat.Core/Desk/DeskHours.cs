using System.Globalization;
using System.Text.RegularExpressions;

namespace CometChat.Core;

/// <summary>
/// Weekly opening hours in one time zone (Chat:Support:Hours, Chat:Support:TimeZone): rules separated by
/// <c>;</c>, each days then times, <c>Mon-Fri 09:00-18:00; Sat 10:00-14:00; Sun 22:00-02:00</c>. Days are
/// <c>Mon</c>..<c>Sun</c>, single, comma lists or ranges (a range may wrap: <c>Fri-Mon</c>); an end at or
/// before the start runs past midnight; <c>24:00</c> is the end of the day. Empty means always open.
/// The zone is an IANA name resolved from the system's tzdata (which .NET reads on Linux with or without ICU).
/// </summary>
internal sealed partial class DeskHours
{
    private static readonly string[] DayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    private readonly List<(bool[] Days, int Start, int End)> _rules = [];
    private readonly TimeZoneInfo _zone;

    public DeskHours(string? hours, string timeZone)
    {
        Text = (hours ?? "").Trim();
        try { _zone = TimeZoneInfo.FindSystemTimeZoneById(timeZone); }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new InvalidOperationException(
                $"Chat:Support:TimeZone: '{timeZone}' is not a time zone this machine knows; give an IANA name such as 'Europe/Berlin' (Linux reads them from tzdata: install the tzdata package).", e);
        }
        ZoneId = timeZone;
        foreach (var part in Text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var m = Rule().Match(part);
            if (!m.Success)
                throw new InvalidOperationException($"Chat:Support:Hours: '{part}' is not like 'Mon-Fri 09:00-18:00'.");
            _rules.Add((Days(m.Groups["days"].Value, part), Minutes(m.Groups["from"].Value, part), Minutes(m.Groups["to"].Value, part)));
        }
    }

    /// <summary>The configured hours as written (empty: always open).</summary>
    public string Text { get; }
    public string ZoneId { get; }
    public bool AlwaysOpen => _rules.Count == 0;

    public bool IsOpen(DateTimeOffset now)
    {
        if (AlwaysOpen) return true;
        var local = TimeZoneInfo.ConvertTime(now, _zone);
        var day = (int)local.DayOfWeek;
        var minute = local.Hour * 60 + local.Minute;
        var yesterday = (day + 6) % 7;
        foreach (var (days, start, end) in _rules)
        {
            if (start < end) { if (days[day] && minute >= start && minute < end) return true; }
            else if ((days[day] && minute >= start) || (days[yesterday] && minute < end)) return true;
        }
        return false;
    }

    private static bool[] Days(string spec, string rule)
    {
        var days = new bool[7];
        foreach (var item in spec.Split(',', StringSplitOptions.TrimEntries))
        {
            var ends = item.Split('-', StringSplitOptions.TrimEntries);
            var from = Day(ends[0], rule);
            var to = ends.Length > 1 ? Day(ends[1], rule) : from;
            for (var d = from; ; d = (d + 1) % 7)
            {
                days[d] = true;
                if (d == to) break;
            }
        }
        return days;
    }

    private static int Day(string name, string rule)
    {
        var i = Array.FindIndex(DayNames, d => d.Equals(name, StringComparison.OrdinalIgnoreCase));
        return i >= 0 ? i : throw new InvalidOperationException($"Chat:Support:Hours: '{name}' in '{rule}' is not a day (Mon, Tue, Wed, Thu, Fri, Sat, Sun).");
    }

    private static int Minutes(string hhmm, string rule)
    {
        var h = int.Parse(hhmm[..2], CultureInfo.InvariantCulture);
        var m = int.Parse(hhmm[3..], CultureInfo.InvariantCulture);
        if (h > 24 || m > 59 || (h == 24 && m > 0)) throw new InvalidOperationException($"Chat:Support:Hours: '{hhmm}' in '{rule}' is not a time of day.");
        return h * 60 + m;
    }

    [GeneratedRegex(@"^(?<days>[A-Za-z]{3}(\s*-\s*[A-Za-z]{3})?(\s*,\s*[A-Za-z]{3}(\s*-\s*[A-Za-z]{3})?)*)\s+(?<from>\d\d:\d\d)\s*-\s*(?<to>\d\d:\d\d)\z")]
    private static partial Regex Rule();
}
