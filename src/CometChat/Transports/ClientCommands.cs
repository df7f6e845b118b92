using System.Buffers;
using CometChat.Core;
using CometChat.Endpoints;
using CometChat.Http;

namespace CometChat.Transports;

/// <summary>
/// The client-to-server frames of API.md §4, shared by /ws and the TCP socket: <c>send</c>, <c>receipt</c>,
/// <c>typing</c>, <c>ping</c>. A frame is read like a JSON body (<see cref="JsonParameters"/>) and each answers one
/// reply frame: <c>{"reply":id,...}</c> with the same answer HTTP gives (<see cref="SendAnswer"/> for a send), or
/// <c>{"reply":id,"error":{status,code,message,retryAfter?}}</c>. A bad frame never ends the connection.
/// The command <c>id</c> only pairs a reply with its command (clients count c1, c2... per connection, so it
/// cannot be a message's idempotency key); a send may carry <c>messageId</c> for that.
/// </summary>
internal sealed partial class ClientCommands(MessageSender sender, Receipts receipts, Typing typing, Presence presence, MessageChanges changes,
    ConversationList conversations, ILogger<ClientCommands> log)
{
    public async Task<byte[]> ExecuteAsync(string user, string? client, ReadOnlyMemory<byte> frame, CancellationToken ct)
    {
        string? id = null;
        try
        {
            var f = JsonParameters.Parse(frame.Span, "frame");
            f.TryGetValue("id", out id);
            switch (f.GetValueOrDefault("op"))
            {
                case "send":
                    var sent = await sender.SendAsync(user, new SendRequest(f.GetValueOrDefault("to"), f.GetValueOrDefault("body"), f.GetValueOrDefault("messageId"), client, QueryLimits.OptionalLong(f.GetValueOrDefault("sid"), "sid"), File: f.GetValueOrDefault("file")));
                    return Reply(id, SendAnswer.Of(sent));
                case "receipt":
                    var ack = await receipts.AcknowledgeAsync(user, QueryLimits.OptionalLong(f.GetValueOrDefault("ref"), "ref"), f.GetValueOrDefault("state"), client);
                    return Reply(id, SendAnswer.Of(ack));
                case "recall":
                    return Reply(id, SendAnswer.Of(await changes.RecallAsync(user, QueryLimits.OptionalLong(f.GetValueOrDefault("mid"), "mid"), client)));
                case "edit":
                    return Reply(id, SendAnswer.Of(await changes.EditAsync(user, QueryLimits.OptionalLong(f.GetValueOrDefault("mid"), "mid"),
                        f.GetValueOrDefault("body"), f.GetValueOrDefault("messageId"), client)));
                case "read":
                    var read = await conversations.MarkReadAsync(user, f.GetValueOrDefault("with"), QueryLimits.OptionalLong(f.GetValueOrDefault("sid"), "sid"),
                        QueryLimits.OptionalLong(f.GetValueOrDefault("upTo"), "upTo"), client, ct);
                    return Reply(id, new ReadAnswer(read.With, read.ReadUpTo, read.Unread, read.Message is not null, read.Message?.Mid));
                case "typing":
                    await typing.PublishAsync(user, f.GetValueOrDefault("to"), ct);
                    return Reply(id, new OkAnswer());
                case "ping":
                    presence.Touch(user);
                    return Reply(id, new PongAnswer());
                case null or "":
                    throw new ChatException(ChatError.BadRequest("'op' is required: send, receipt, typing, ping, recall, edit or read."));
                default:
                    throw new ChatException(ChatError.BadRequest("'op' must be send, receipt, typing, ping, recall, edit or read."));
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if (ChatErrors.Of(e) is not { } mapped) LogFailed(log, e, user);
            return Error(id, ChatErrors.Of(e) ?? ChatErrors.Internal);
        }
    }

    public static byte[] Error(string? id, MappedError error) => Reply(id, error.Answer);

    /// <summary><c>{"reply":id,</c> and then the answer's own members: one answer shape on every wire.</summary>
    private static byte[] Reply<T>(string? id, T answer)
    {
        var json = ChatJson.Serialize(answer);
        var buffer = new ArrayBufferWriter<byte>(json.Length + 32);
        using (var w = new System.Text.Json.Utf8JsonWriter(buffer, MessageJson.WriterOptions))
        {
            w.WriteStartObject();
            if (id is null) w.WriteNull("reply");
            else w.WriteString("reply", id);
        }
        buffer.Write(","u8);
        buffer.Write(json.AsSpan(1)); // the answer's members and its closing brace
        return buffer.WrittenSpan.ToArray();
    }

    [LoggerMessage(60, LogLevel.Error, "A command of {User} failed")]
    private static partial void LogFailed(ILogger logger, Exception e, string user);
}
