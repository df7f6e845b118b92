namespace CometChat.Core;

/// <summary>
/// Who receives a message sent to a destination: a user (direct), a #room, or @support. The sender asks
/// each route in turn; the first that <see cref="Handles"/> the request decides, inside the write
/// transaction, so membership and assignment are settled by the same commit that orders the message.
/// </summary>
internal interface IMessageRoute
{
    bool Handles(SendRequest req);

    /// <summary>Checks the request outside the transaction (names, shapes); throws ChatException.</summary>
    void Validate(string from, SendRequest req);

    /// <summary>Inside the transaction: the final draft, its recipients and its history key; throws ChatException.</summary>
    RoutedMessage Route(IWrites tx, string from, SendRequest req, Message draft);

    /// <summary>The (recipient, sender) pair <see cref="Route"/> will check with <see cref="IUserWrites.UserAndBlock"/>, if any.</summary>
    (string User, string Sender)? Addressed(string from, SendRequest req) => null;
}

/// <summary>A send: <paramref name="File"/> is the id of a file the sender uploaded (a <c>file</c> message, whose body is optional).</summary>
internal sealed record SendRequest(string? To, string? Body, string? Id = null, string? Client = null, long? Sid = null, SessionContext? Context = null, string? File = null);

/// <summary>
/// Where a routed message is stored: inbox rows of <paramref name="Recipients"/>, or (null) once on the timeline of
/// room <c>Draft.To</c>. <paramref name="AfterAppend"/> runs in the same transaction once the message has its mid.
/// </summary>
internal sealed record RoutedMessage(Message Draft, IReadOnlyCollection<string>? Recipients, string Conversation, Action<IWrites, Message>? AfterAppend = null)
{
    public static RoutedMessage ToRoom(Message draft, string room) => new(draft with { To = "#" + room }, null, Conversations.Room(room));

    public Message Store(IWrites tx)
    {
        var stored = Recipients is null ? tx.Messages.AppendToRoom(Draft, Draft.To[1..]) : tx.Messages.Append(Draft, Recipients, Conversation);
        AfterAppend?.Invoke(tx, stored);
        return stored;
    }
}

/// <summary>A message to one user: both sides' feeds, one shared history.</summary>
internal sealed class DirectRoute : IMessageRoute
{
    public bool Handles(SendRequest req) => req.To is not null && !req.To.StartsWith('#') && !req.To.StartsWith('@') && req.Sid is null;

    public void Validate(string from, SendRequest req) => Names.User(req.To, "to");

    public (string User, string Sender)? Addressed(string from, SendRequest req) => (Names.User(req.To, "to"), from);

    public RoutedMessage Route(IWrites tx, string from, SendRequest req, Message draft)
    {
        var to = Names.User(req.To, "to");
        var (exists, blocks) = tx.Users.UserAndBlock(to, from);
        if (!exists) throw new ChatException(ChatError.NotFound($"'to': no user is named '{to}'."));
        if (to != from && blocks) throw Blocks.Refused(to);
        return new RoutedMessage(draft with { To = to }, from == to ? [from] : [from, to], Conversations.Direct(from, to));
    }
}
