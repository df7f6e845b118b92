using System.Text.Json;
using CometChat.Core;

namespace CometChat.Backplane;

/// <summary>
/// A committed batch on the backplane, inside the node's envelope: <c>"a"</c> the head it followed, <c>"t"</c> the mid
/// it covers up to, <c>"m"</c> its messages, each <c>{mid, id, f, to, k, b, at, ref?, sid?, c?, ra?, ea?, file?, xa?, r?}</c> (every
/// field of <see cref="Message"/>: sender, kind, body, sent at in epoch ms, sending tab, recalled at, edited at, the file's
/// JSON, erased at; <c>r</c>: the inbox recipients, absent for a room message); <c>"x"</c>, when the
/// batch rewrote earlier messages (recall, edit), those messages as they read now, in the same shape; <c>"z":true</c> when
/// it erased bodies in bulk (<see cref="CommittedBatch.Erased"/>).
/// </summary>
internal static class BatchFormat
{
    public static void Write(Utf8JsonWriter w, CommittedBatch batch)
    {
        w.WriteNumber("a", batch.After);
        w.WriteNumber("t", batch.UpTo);
        WriteMessages(w, "m", batch.Messages);
        if (batch.Changed is { Count: > 0 } changed) WriteMessages(w, "x", changed);
        if (batch.Erased) w.WriteBoolean("z", true);
    }

    private static void WriteMessages(Utf8JsonWriter w, string name, IReadOnlyList<Appended> messages)
    {
        w.WriteStartArray(name);
        foreach (var (m, recipients) in messages)
        {
            w.WriteStartObject();
            w.WriteNumber("mid", m.Mid);
            w.WriteString("id", m.Id);
            w.WriteString("f", m.From);
            w.WriteString("to", m.To);
            w.WriteString("k", m.Kind);
            w.WriteString("b", m.Body);
            w.WriteNumber("at", m.SentAt);
            if (m.Ref is { } r) w.WriteNumber("ref", r);
            if (m.Sid is { } sid) w.WriteNumber("sid", sid);
            if (m.Client is not null) w.WriteString("c", m.Client);
            if (m.RecalledAt is { } recalled) w.WriteNumber("ra", recalled);
            if (m.EditedAt is { } edited) w.WriteNumber("ea", edited);
            if (m.File is not null) w.WriteString("file", m.File);
            if (m.ErasedAt is { } erasedAt) w.WriteNumber("xa", erasedAt);
            if (recipients is not null)
            {
                w.WriteStartArray("r");
                foreach (var u in recipients) w.WriteStringValue(u);
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    public static CommittedBatch Read(JsonElement e) =>
        new(e.GetProperty("a").GetInt64(), e.GetProperty("t").GetInt64(), ReadMessages(e.GetProperty("m")),
            e.TryGetProperty("x", out var changed) ? ReadMessages(changed) : null,
            e.TryGetProperty("z", out var erased) && erased.GetBoolean());

    private static List<Appended> ReadMessages(JsonElement items)
    {
        var messages = new List<Appended>(items.GetArrayLength());
        foreach (var i in items.EnumerateArray())
        {
            var m = new Message(i.GetProperty("mid").GetInt64(), Text(i, "id"), Text(i, "f"), Text(i, "to"), Text(i, "k"), Text(i, "b"),
                i.GetProperty("at").GetInt64(),
                i.TryGetProperty("ref", out var r) ? r.GetInt64() : null,
                i.TryGetProperty("sid", out var sid) ? sid.GetInt64() : null,
                i.TryGetProperty("c", out var c) ? c.GetString() : null,
                i.TryGetProperty("ra", out var recalled) ? recalled.GetInt64() : null,
                i.TryGetProperty("ea", out var edited) ? edited.GetInt64() : null,
                i.TryGetProperty("file", out var file) ? file.GetString() : null,
                i.TryGetProperty("xa", out var erasedAt) ? erasedAt.GetInt64() : null);
            string[]? recipients = null;
            if (i.TryGetProperty("r", out var users))
            {
                recipients = new string[users.GetArrayLength()];
                var n = 0;
                foreach (var u in users.EnumerateArray()) recipients[n++] = u.GetString()!;
            }
            messages.Add(new Appended(m, recipients));
        }
        return messages;
    }

    private static string Text(JsonElement e, string name) =>
        e.GetProperty(name).GetString() ?? throw new FormatException($"'{name}' is null");
}
