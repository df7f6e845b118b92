using Microsoft.Extensions.Options;

namespace CometChat.Core;

/// <summary>
/// Recall and edit (API.md §8): the sender changes their own text or file message within Chat:RecallSeconds or
/// Chat:EditSeconds of sending. Each is a feed message (<c>recall</c>, <c>edit</c>, <c>ref</c> = the original) with
/// inbox rows for exactly the original's recipients (for a room message: the members whose interval holds its mid,
/// not whoever is a member now), so each of them gets it once, on every transport. A recall erases the original's
/// body, its edits' bodies, its search entry and its file in the same transaction; a reader who was away meets the
/// original already erased (<c>"recalled":true</c>, empty body), then the recall. An edit replaces the original's
/// body in place (<c>editedAt</c>), so history and search show the latest. Recalling twice answers the first recall.
/// </summary>
internal sealed class MessageChanges(MessageWriter writer, ChatFiles files, IOptions<ChatOptions> options, TimeProvider time, ChatLimits limits)
{
    /// <summary>A recall's id is this and the original's mid: a retry of the recall finds it.</summary>
    public const string RecallIdPrefix = "recall:";

    private readonly int _recallSeconds = options.Value.RecallSeconds;
    private readonly int _editSeconds = options.Value.EditSeconds;
    private readonly int _maxBody = options.Value.MaxBodyChars;

    public async Task<SendResult> RecallAsync(string user, long? mid, string? client)
    {
        var target = Required(mid);
        MessageSender.CheckClient(client);
        limits.CheckSend(user);
        string? erasedFile = null;
        var result = await writer.RunAsync(tx =>
        {
            var id = RecallIdPrefix + target;
            if (tx.Messages.FindBySenderId(user, id) is { } existing) return new SendResult(existing, true);
            var original = Own(tx, user, target, "recalled");
            var now = CheckWindow(original, _recallSeconds, "recalled", "Chat:RecallSeconds");
            var recipients = tx.Messages.RecipientsOf(original);
            erasedFile = tx.Files.EraseOf(original.Mid);
            tx.Messages.Recall(original, now);
            var recall = new Message(0, id, user, original.To, MessageKinds.Recall, "", now, Ref: original.Mid, Sid: original.Sid, Client: client);
            return new SendResult(tx.Messages.Append(recall, recipients, Conversations.Changes(Conversations.Of(original))), false);
        });
        // After the commit: a file in Chat:Files:Folder goes once nothing refers to it any more.
        if (erasedFile is not null) files.DeleteFromFolder(erasedFile);
        return result;
    }

    public Task<SendResult> EditAsync(string user, long? mid, string? body, string? id, string? client)
    {
        var target = Required(mid);
        var generated = string.IsNullOrEmpty(id);
        var editId = MessageSender.CheckId(id);
        MessageSender.CheckClient(client);
        limits.CheckSend(user);
        return writer.RunAsync(tx =>
        {
            if (!generated && tx.Messages.FindBySenderId(user, editId) is { } existing) return new SendResult(existing, true);
            var original = Own(tx, user, target, "edited");
            var text = MessageSender.CheckBody(body, _maxBody, allowEmpty: original.Kind == MessageKinds.File);
            var now = CheckWindow(original, _editSeconds, "edited", "Chat:EditSeconds");
            var recipients = tx.Messages.RecipientsOf(original);
            tx.Messages.Edit(original, text, now);
            var edit = new Message(0, editId, user, original.To, MessageKinds.Edit, text, now, Ref: original.Mid, Sid: original.Sid, Client: client);
            return new SendResult(tx.Messages.Append(edit, recipients, Conversations.Changes(Conversations.Of(original))), false);
        });
    }

    private static long Required(long? mid) =>
        mid ?? throw new ChatException(ChatError.BadRequest("'mid' is required: the mid of your message."));

    /// <summary>The caller's own text or file message <paramref name="mid"/>, not recalled, or the refusal naming 'mid'.</summary>
    private static Message Own(IWrites tx, string user, long mid, string verb)
    {
        var m = tx.Messages.GetMessage(mid);
        if (m is null || !tx.Messages.IsRecipient(m, user)) throw new ChatException(ChatError.NotFound($"'mid': message {mid} is not in your feed."));
        if (m.From != user) throw new ChatException(ChatError.Forbidden($"'mid': message {mid} is {m.From}'s; only its sender may have it {verb}."));
        if (!MessageKinds.IsContent(m.Kind))
            throw new ChatException(ChatError.BadRequest($"'mid': message {mid} is a '{m.Kind}' message; only text and file messages can be {verb}."));
        if (m.RecalledAt is not null) throw new ChatException(ChatError.Forbidden($"'mid': message {mid} was recalled."));
        return m;
    }

    private long CheckWindow(Message m, int seconds, string verb, string setting)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (now - m.SentAt > seconds * 1000L)
            throw new ChatException(ChatError.Forbidden(
                $"'mid': message {m.Mid} was sent {(now - m.SentAt) / 1000} s ago; a message can be {verb} within {seconds} seconds of sending ({setting})."));
        return now;
    }
}
