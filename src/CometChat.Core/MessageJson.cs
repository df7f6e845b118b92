using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace CometChat.Core;

/// <summary>
/// The one JSON shape of a message. The default encoder escapes &lt; &gt; &amp; and every non-ASCII
/// character (so U+2028/2029 too), which makes the bytes safe inside JSONP, a forever frame and SSE.
/// </summary>
internal static class MessageJson
{
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.Default, SkipValidation = true };

    public static byte[] Serialize(Message m)
    {
        var buffer = new ArrayBufferWriter<byte>(128 + m.Body.Length);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            Write(w, m);
        }
        return buffer.WrittenSpan.ToArray();
    }

    public static void Write(Utf8JsonWriter w, Message m)
    {
        w.WriteStartObject();
        w.WriteNumber("mid", m.Mid);
        w.WriteString("id", m.Id);
        w.WriteString("from", m.From);
        w.WriteString("to", m.To);
        w.WriteString("kind", m.Kind);
        w.WriteString("body", m.Body);
        w.WriteNumber("sentAt", m.SentAt);
        if (m.Ref is { } r) w.WriteNumber("ref", r);
        if (m.Sid is { } s) w.WriteNumber("sid", s);
        if (m.RecalledAt is not null) w.WriteBoolean("recalled", true);
        if (m.EditedAt is { } e) w.WriteNumber("editedAt", e);
        if (m.File is { } f)
        {
            w.WritePropertyName("file");
            w.WriteRawValue(f, skipInputValidation: true); // written by FileInfoJson, with this same encoder
        }
        if (m.ErasedAt is not null) w.WriteBoolean("erased", true);
        w.WriteEndObject();
    }
}

/// <summary>A file message's <c>"file"</c>: <c>{"id","name","size","type"}</c> (size in bytes, type as detected from the content).</summary>
internal static class FileInfoJson
{
    public static string Serialize(string id, string name, long size, string type)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(buffer, MessageJson.WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("id", id);
            w.WriteString("name", name);
            w.WriteNumber("size", size);
            w.WriteString("type", type);
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
