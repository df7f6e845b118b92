using System.Buffers;
using System.Globalization;
using System.Text.Json;
using CometChat.Core;

namespace CometChat.Transports;

/// <summary>
/// The client-to-server frames of API.md §4, shared by /ws and the TCP socket: <c>send</c>, <c>receipt</c>,
/// <c>typing</c>, <c>ping</c>. Each answers one reply frame, <c>{"reply":id,...}</c> or
/// <c>{"reply":id,"error":{status,code,message}}</c>; a bad frame never ends the connection.
/// The command <c>id</c> only pairs a reply with its command (clients count c1, c2... per connection, so it
/// cannot be a message's idempotency key); a send may carry <c>messageId</c> for that.
/// </summary>
internal sealed class ClientCommands(MessageSender sender, Receipts receipts, Typing typing, Presence presence)
{
    public async Task<byte[]> ExecuteAsync(string user, string? client, ReadOnlyMemory<byte> frame, CancellationToken ct)
    {
        string? id = null;
        try
        {
            using var doc = Parse(frame);
            var root = doc.RootElement;
            id = Text(root, "id");
            var op = Text(root, "op");
            switch (op)
            {
                case "send":
                    var sent = await sender.SendAsync(user, new SendRequest(Text(root, "to"), Text(root, "body"), Text(root, "messageId"), client, Long(root, "sid")));
                    return Reply(id, w => WriteSent(w, sent));
                case "receipt":
                    var ack = await receipts.AcknowledgeAsync(user, Long(root, "ref"), Text(root, "state"), client);
                    return Reply(id, w => WriteSent(w, ack));
                case "typing":
                    await typing.PublishAsync(user, Text(root, "to"), ct);
                    return Reply(id, w => w.WriteBoolean("ok", true));
                case "ping":
                    presence.Touch(user);
                    return Reply(id, w => w.WriteBoolean("pong", true));
                case null or "":
                    throw new ChatException(ChatError.BadRequest("'op' is required: send, receipt, typing or ping."));
                default:
                    throw new ChatException(ChatError.BadRequest("'op' must be send, receipt, typing or ping."));
            }
        }
        catch (ChatException e)
        {
            return Error(id, e.Error);
        }
        catch (StoreUnavailableException e)
        {
            return Error(id, ChatError.Unavailable(e.Message + " Retry with the same id."));
        }
    }

    public static byte[] Error(string? id, ChatError error) => Reply(id, w =>
    {
        w.WriteStartObject("error");
        w.WriteNumber("status", error.Status);
        w.WriteString("code", error.Code);
        w.WriteString("message", error.Detail);
        w.WriteEndObject();
    });

    private static JsonDocument Parse(ReadOnlyMemory<byte> frame)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(frame, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw new ChatException(ChatError.BadRequest($"The frame is not valid JSON: {e.Message}"));
        }
        if (doc.RootElement.ValueKind == JsonValueKind.Object) return doc;
        doc.Dispose();
        throw new ChatException(ChatError.BadRequest("The frame must be a JSON object with an 'op'."));
    }

    private static string? Text(JsonElement root, string name) =>
        !root.TryGetProperty(name, out var v) ? null : v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number => v.GetRawText(),
            JsonValueKind.Null => null,
            _ => throw new ChatException(ChatError.BadRequest($"'{name}' must be a string.")),
        };

    private static long? Long(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) && n >= 0) return n;
        if (v.ValueKind == JsonValueKind.String && long.TryParse(v.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out n)) return n;
        throw new ChatException(ChatError.BadRequest($"'{name}' must be a non-negative integer."));
    }

    private static void WriteSent(Utf8JsonWriter w, SendResult result)
    {
        w.WriteNumber("mid", result.Message.Mid);
        w.WriteString("id", result.Message.Id);
        w.WriteNumber("sentAt", result.Message.SentAt);
        if (result.Duplicate) w.WriteBoolean("duplicate", true);
    }

    private static byte[] Reply(string? id, Action<Utf8JsonWriter> fields)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(buffer, MessageJson.WriterOptions))
        {
            w.WriteStartObject();
            if (id is null) w.WriteNull("reply");
            else w.WriteString("reply", id);
            fields(w);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
