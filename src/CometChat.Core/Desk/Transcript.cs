using System.Globalization;
using System.Net;
using System.Text;

namespace CometChat.Core;

/// <summary>A session's messages as text and HTML (API.md §7 transcripts): session notices, messages, notes (for agents), the rating.</summary>
internal static class Transcript
{
    public static string Text(DeskSession s, IReadOnlyList<Message> messages)
    {
        var t = new StringBuilder();
        t.Append("Support session ").Append(s.Sid).Append(" with ").Append(s.Customer)
            .Append(", opened ").Append(Time(s.OpenedAt)).Append(s.ClosedAt is { } c ? ", closed " + Time(c) : "").Append('\n');
        foreach (var m in messages) t.Append(Time(m.SentAt)).Append("  ").Append(Line(m)).Append('\n');
        return t.ToString();
    }

    public static string Html(DeskSession s, IReadOnlyList<Message> messages)
    {
        var h = new StringBuilder("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Support session ");
        h.Append(s.Sid).Append("</title></head>\n<body style=\"font-family:Arial,sans-serif\">\n<h1>Support session ").Append(s.Sid)
            .Append(" with ").Append(WebUtility.HtmlEncode(s.Customer)).Append("</h1>\n<p>Opened ").Append(Time(s.OpenedAt))
            .Append(s.ClosedAt is { } c ? ", closed " + Time(c) : "").Append("</p>\n<table>\n");
        foreach (var m in messages)
            h.Append("<tr><td style=\"color:#778;white-space:nowrap;vertical-align:top\">").Append(Time(m.SentAt)).Append("</td><td>")
                .Append(WebUtility.HtmlEncode(Line(m)).Replace("\n", "<br>", StringComparison.Ordinal)).Append("</td></tr>\n");
        return h.Append("</table>\n</body></html>\n").ToString();
    }

    public static string Line(Message m) => m.Kind switch
    {
        MessageKinds.Session => "-- " + m.Body + " --",
        MessageKinds.Note => m.From + " (internal note): " + m.Body,
        MessageKinds.Rating => m.From + " rated the session " + m.Body,
        _ => m.From + ": " + m.Body,
    };

    public static string Time(long ms) =>
        DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
}
