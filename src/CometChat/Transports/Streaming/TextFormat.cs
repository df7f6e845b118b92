using System.Buffers;
using System.Globalization;
using System.Text;
using CometChat.Core;

namespace CometChat.Transports.Streaming;

/// <summary>
/// <c>format=text</c>: one human line per message for a terminal, <c>08:16:41 #1042 alice -&gt; bob: hi</c>
/// (UTC). Control characters in bodies are shown escaped so a message stays one line; heartbeats are
/// empty lines.
/// </summary>
internal sealed class TextFormat(TimeProvider time) : IStreamFormat
{
    public string ContentType => "text/plain; charset=utf-8";

    public void WriteStart(IBufferWriter<byte> w, Cursor cursor) => w.Write($"# messages after cursor {cursor}\n");

    public void WriteMessage(IBufferWriter<byte> w, Message m)
    {
        var line = new StringBuilder(64 + m.Body.Length);
        line.Append(Time(m.SentAt)).Append(" #").Append(m.Mid.ToString(CultureInfo.InvariantCulture)).Append(' ')
            .Append(m.From).Append(" -> ").Append(m.To).Append(": ");
        if (m.Kind == MessageKinds.Receipt) line.Append('(').Append(m.Body).Append(" #").Append(m.Ref?.ToString(CultureInfo.InvariantCulture)).Append(')');
        else if (m.Kind != MessageKinds.Text) line.Append('(').Append(m.Kind).Append(") ");
        if (m.Kind != MessageKinds.Receipt) AppendEscaped(line, m.Body);
        w.Write(line.Append('\n').ToString());
    }

    public void WriteEvent(IBufferWriter<byte> w, ChatEvent e) =>
        w.Write($"{Time(time.GetUtcNow().ToUnixTimeMilliseconds())} {e.Summary}\n");

    public void WriteHeartbeat(IBufferWriter<byte> w, Cursor cursor) => w.Write("\n");

    public void WriteEnd(IBufferWriter<byte> w, Cursor cursor) => w.Write($"# end of stream; resume with since={cursor}\n");

    private static string Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("HH:mm:ss", CultureInfo.InvariantCulture);

    private static void AppendEscaped(StringBuilder line, string body)
    {
        foreach (var c in body)
        {
            if (c == '\n') line.Append("\\n");
            else if (c == '\r') line.Append("\\r");
            else if (c == '\t') line.Append("\\t");
            else if (char.IsControl(c)) line.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            else line.Append(c);
        }
    }
}
