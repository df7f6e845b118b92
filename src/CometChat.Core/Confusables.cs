using System.Globalization;
using System.Text;

namespace CometChat.Core;

/// <summary>
/// UTS #39 confusable detection: the skeleton of a string, from Unicode 15.0's confusables.txt (embedded as
/// Unicode/confusables.txt, taken from ICU 72.1's source; see the file's header).
/// </summary>
internal static class Confusables
{
    private static readonly Lazy<Dictionary<int, string>> Prototypes = new(Load);

    /// <summary>skeleton(X) = NFD(X), each code point replaced by its prototype, NFD again (UTS #39 §4).</summary>
    public static string Skeleton(string value)
    {
        var map = Prototypes.Value;
        var sb = new StringBuilder(value.Length);
        foreach (var rune in value.Normalize(NormalizationForm.FormD).EnumerateRunes())
        {
            if (map.TryGetValue(rune.Value, out var prototype)) sb.Append(prototype);
            else sb.Append(rune.ToString());
        }
        return sb.ToString().Normalize(NormalizationForm.FormD);
    }

    private static Dictionary<int, string> Load()
    {
        using var stream = typeof(Confusables).Assembly.GetManifestResourceStream("CometChat.Core.confusables.txt")
            ?? throw new InvalidOperationException("confusables.txt is not embedded.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var map = new Dictionary<int, string>(8192);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line[0] == '#') continue;
            var semicolon = line.IndexOf(';');
            var source = int.Parse(line.AsSpan(0, semicolon), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var target = new StringBuilder();
            foreach (var hex in line[(semicolon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
                target.Append(char.ConvertFromUtf32(int.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
            map[source] = target.ToString();
        }
        return map;
    }
}
