using System.Reflection;
using System.Text.RegularExpressions;

namespace CometChat.Storage;

/// <summary>Splits an embedded schema script into its "-- version: N" migrations, in order.</summary>
internal static partial class SchemaScript
{
    public static IEnumerable<(int Version, string Sql)> Migrations(string resource)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"{resource} is not embedded.");
        var text = new StreamReader(stream).ReadToEnd();
        var parts = VersionMarker().Split(text);
        // Split keeps the captured version numbers: [preamble, "1", sql1, "2", sql2, ...]
        var list = new List<(int, string)>();
        for (var i = 1; i + 1 < parts.Length; i += 2)
            list.Add((int.Parse(parts[i], System.Globalization.CultureInfo.InvariantCulture), parts[i + 1]));
        return list;
    }

    [GeneratedRegex(@"^-- version: (\d+)\s*$", RegexOptions.Multiline)]
    private static partial Regex VersionMarker();
}
