namespace CometChat.Core;

/// <summary>
/// Delivered/read acknowledgements. Only a recipient of a message may acknowledge it; the receipt is a
/// feed message from the recipient to the original sender carrying <c>ref</c>. Its id is derived from
/// (ref, state), so acknowledging twice stores one receipt.
/// </summary>
internal sealed class Receipts(MessageWriter writer, TimeProvider time, ChatLimits limits)
{
    public static readonly string[] States = ["delivered", "read"];

    /// <summary>Receipt ids are <c>receipt:REF:STATE</c>; clients cannot use the prefix (<see cref="MessageSender.CheckId"/>).</summary>
    public const string IdPrefix = "receipt:";

    public Task<SendResult> AcknowledgeAsync(string user, long? reference, string? state, string? client = null)
    {
        if (reference is null) throw new ChatException(ChatError.BadRequest("'ref' is required: the mid of the message to acknowledge."));
        if (state is null or "") throw new ChatException(ChatError.BadRequest("'state' is required: 'delivered' or 'read'."));
        if (!States.Contains(state)) throw new ChatException(ChatError.BadRequest("'state' must be 'delivered' or 'read'."));
        MessageSender.CheckClient(client);
        limits.CheckSend(user);
        var id = $"{IdPrefix}{reference}:{state}";
        return writer.RunAsync(tx =>
        {
            if (tx.Messages.FindBySenderId(user, id) is { Kind: MessageKinds.Receipt } existing) return new SendResult(existing, true);
            var original = tx.Messages.GetMessage(reference.Value);
            // A session's agent also reads what the customer wrote before the session was theirs (the queued backlog).
            if (original is null || !(tx.Messages.IsRecipient(original, user) || (original.Sid is { } sid && tx.Support.GetSession(sid)?.Agent == user)))
                throw new ChatException(ChatError.NotFound($"'ref': message {reference} is not in your feed."));
            if (original.From == user)
                throw new ChatException(ChatError.Forbidden($"'ref': message {reference} is your own; only its recipients acknowledge it."));
            if (!MessageKinds.IsContent(original.Kind))
                throw new ChatException(ChatError.BadRequest($"'ref': message {reference} is a '{original.Kind}' message; only text and file messages take receipts."));
            // Blocks hold for direct messages only: rooms and the support desk are unaffected.
            if (original.Sid is null && !original.To.StartsWith('#') && tx.Users.IsBlocked(original.From, user)) throw Blocks.Refused(original.From);
            var receipt = new Message(0, id, user, original.From, MessageKinds.Receipt, state,
                time.GetUtcNow().ToUnixTimeMilliseconds(), Ref: original.Mid, Sid: original.Sid, Client: client);
            return new SendResult(tx.Messages.Append(receipt, [user, original.From], Conversations.Direct(user, original.From)), false);
        });
    }
}
