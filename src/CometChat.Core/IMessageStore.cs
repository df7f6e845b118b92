namespace CometChat.Core;

/// <summary>Reads of messages as the core needs them. Writes go through <see cref="IWriteTransaction"/> only.</summary>
internal interface IMessageStore
{
    /// <summary>Creates or migrates the schema; returns the highest committed mid.</summary>
    long Initialize();

    long CountMessages();

    /// <summary>The highest committed mid now (other nodes' commits included, on a shared store).</summary>
    Task<long> ReadHeadAsync(CancellationToken ct);

    /// <summary>
    /// The user's feed after <paramref name="after"/>, ascending by mid, at most <paramref name="limit"/> rows: their
    /// inbox rows (direct and support messages) merged with the timelines of their rooms inside their membership intervals.
    /// </summary>
    Task<IReadOnlyList<Message>> ReadFeedAsync(string user, long after, int limit, CancellationToken ct);

    /// <summary>One conversation before <paramref name="before"/>, newest first, at most <paramref name="limit"/> rows.</summary>
    Task<IReadOnlyList<Message>> ReadConversationAsync(string conversation, long before, int limit, CancellationToken ct);

    /// <summary>
    /// The furthest receipt (<c>read</c> over <c>delivered</c>) that any of <paramref name="senders"/> stored for each of
    /// <paramref name="mids"/>, by mid; messages without one are absent. Looked up by receipt id (sender, <c>receipt:mid:state</c>).
    /// </summary>
    Task<IReadOnlyDictionary<long, string>> ReceiptStatesAsync(IReadOnlyList<string> senders, IReadOnlyList<long> mids, CancellationToken ct);

    /// <summary>The messages of support session <paramref name="sid"/> before <paramref name="before"/>, newest first, at most <paramref name="limit"/> rows.</summary>
    Task<IReadOnlyList<Message>> ReadSessionAsync(long sid, long before, int limit, CancellationToken ct);

    Task<Message?> GetAsync(long mid, CancellationToken ct);

    /// <summary>
    /// Every room membership not left by mid <paramref name="at"/>, for a node's in-memory index (see
    /// <see cref="RoomMembers"/>), which then follows every later commit in order: a leave after it closes its
    /// membership, and a join after it finds its membership there already (migrated ones start after the head).
    /// </summary>
    IReadOnlyList<Membership> OpenMemberships(long at);

    /// <summary>
    /// The committed messages with <paramref name="after"/> &lt; mid &lt;= <paramref name="upTo"/>, in mid order, at most
    /// <paramref name="limit"/>, each with its inbox recipients (null for a room message): what a node reads to fill a
    /// gap in the batches the backplane brought it.
    /// </summary>
    Task<IReadOnlyList<Appended>> ReadCommittedAsync(long after, long upTo, int limit, CancellationToken ct);

    /// <summary>
    /// Opens the single write transaction; only <see cref="MessageWriter"/> calls this. <paramref name="addressed"/>: the
    /// (recipient, sender) pairs the batch's direct sends will check (<see cref="IUserWrites.UserAndBlock"/>); an engine
    /// with round trips reads them all at the start (PostgreSQL: with the write lock, in its round trip), not one by one.
    /// </summary>
    IWriteTransaction BeginWrite(IReadOnlyCollection<(string User, string Sender)>? addressed = null);
}

/// <summary>Users, settings, rooms and support sessions as the core reads them.</summary>
internal interface IUserStore
{
    Task<UserRecord?> GetUserAsync(string name, CancellationToken ct);
    /// <summary>The setting's value, storing <paramref name="value"/> first if it has none (race-safe).</summary>
    string GetOrAddSetting(string key, string value);
    /// <summary>
    /// Rooms named after <paramref name="after"/> (null: from the first) in name order, at most <paramref name="limit"/>,
    /// with member counts; only those <paramref name="member"/> belongs to when given.
    /// </summary>
    Task<IReadOnlyList<RoomInfo>> ListRoomsAsync(string? after, int limit, string? member, CancellationToken ct);
    Task<IReadOnlyList<string>> RoomMembersAsync(string room, CancellationToken ct);
    Task<bool> RoomExistsAsync(string room, CancellationToken ct);
    Task<bool> IsMemberAsync(string room, string user, CancellationToken ct);
    Task<SupportSession?> GetSessionAsync(long sid, CancellationToken ct);
    /// <summary>What decides whether a token of <paramref name="user"/> (SHA-256 <paramref name="tokenHash"/>) still holds.</summary>
    Task<TokenState> GetTokenStateAsync(string user, string tokenHash, CancellationToken ct);
}

/// <summary>Tokens issued before <see cref="TokensAfter"/> (epoch ms) are void; <see cref="Revoked"/>: this token was logged out.</summary>
internal sealed record TokenState(long? TokensAfter, long? DeletedAt, long Revocations)
{
    public bool Revoked => Revocations > 0;
}

/// <summary>
/// Which message bodies to erase (one store operation for account deletion and retention, erasing as a recall does): any
/// sender, a sent-before time (epoch ms), or both, at most <see cref="Limit"/> messages,
/// of the <see cref="MessageKinds.Erasable"/> kinds, not yet erased.
/// </summary>
internal sealed record MessageErasure(string? Sender = null, long? SentBefore = null, int Limit = int.MaxValue);

/// <summary>Which table of names: users or rooms.</summary>
internal enum NameKind { User, Room }

/// <summary>A user; tokens issued at or before <see cref="TokensAfter"/> (epoch ms) are void.</summary>
internal sealed record UserRecord(string Name, string? PasswordHash, long CreatedAt, long? TokensAfter);
/// <summary>
/// The reads of API.md §8: conversation lists with unread counts, search, blocks and files. Written once for both
/// engines (SqlReadStore); only the search query is each engine's own.
/// </summary>
internal interface IConversationStore
{
    /// <summary>
    /// <paramref name="user"/>'s conversations whose last message is older than <paramref name="before"/>, most recent
    /// first, at most <paramref name="limit"/>; each with its last message and its unread count (capped at <paramref name="maxUnread"/>).
    /// </summary>
    Task<IReadOnlyList<ConversationEntry>> ListConversationsAsync(string user, long before, int limit, int maxUnread, CancellationToken ct);

    /// <summary>One conversation of <paramref name="user"/>'s, or null when it is not theirs.</summary>
    Task<ConversationEntry?> GetConversationAsync(string user, string conversation, int maxUnread, CancellationToken ct);

    /// <summary>
    /// Text and file messages <paramref name="user"/> may read (inbox rows, or room messages inside their membership
    /// intervals) whose body holds <paramref name="query"/>'s text, newest first, below <paramref name="before"/>,
    /// in <paramref name="conversation"/> when given.
    /// </summary>
    Task<IReadOnlyList<Message>> SearchAsync(string user, SearchQuery query, string? conversation, long before, int limit, CancellationToken ct);

    /// <summary>True when <paramref name="user"/> may read <paramref name="m"/>: an inbox row, or a room message inside a membership interval or of a room they are in.</summary>
    Task<bool> MayReadAsync(string user, Message m, CancellationToken ct);

    Task<IReadOnlyList<string>> BlocksOfAsync(string blocker, CancellationToken ct);
    Task<bool> IsBlockedAsync(string blocker, string blocked, CancellationToken ct);

    Task<StoredFile?> GetFileAsync(string id, CancellationToken ct);
    /// <summary>The content of a file kept in the store (null when a folder keeps it, or it is gone).</summary>
    Task<byte[]?> GetFileContentAsync(string id, CancellationToken ct);
}

/// <summary>One conversation of a user: its key, how they name it, its last message, their marker and unread count.</summary>
internal sealed record ConversationEntry(string Conversation, string With, string Kind, Message? Last, long ReadUpTo, int Unread);

/// <summary>An uploaded file: <paramref name="Size"/> in bytes, <paramref name="Type"/> from its content, <paramref name="Mid"/> the message carrying it.</summary>
internal sealed record StoredFile(string Id, string Owner, string Name, long Size, string Type, long CreatedAt, long? Mid = null)
{
    public string Json => FileInfoJson.Serialize(Id, Name, Size, Type);
}

internal sealed record RoomInfo(string Name, long Members);
internal sealed record SupportSession(long Sid, string Customer, string? Agent, long OpenedAt, long? ClosedAt);

/// <summary>One open membership: <paramref name="User"/> receives the messages of <paramref name="Room"/> from mid <paramref name="FromMid"/> (their join) on.</summary>
internal sealed record Membership(string Room, string User, long FromMid);
