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

    Task<Message?> GetAsync(long mid, CancellationToken ct);

    /// <summary>
    /// Every room membership open at mid <paramref name="at"/> (joined at or before it, not left by then), for a node's
    /// in-memory index (see <see cref="RoomMembers"/>), which then follows every later commit in order.
    /// </summary>
    IReadOnlyList<Membership> OpenMemberships(long at);

    /// <summary>
    /// The committed messages with <paramref name="after"/> &lt; mid &lt;= <paramref name="upTo"/>, in mid order, at most
    /// <paramref name="limit"/>, each with its inbox recipients (null for a room message): what a node reads to fill a
    /// gap in the batches the backplane brought it.
    /// </summary>
    Task<IReadOnlyList<Appended>> ReadCommittedAsync(long after, long upTo, int limit, CancellationToken ct);

    /// <summary>Opens the single write transaction; only <see cref="MessageWriter"/> calls this.</summary>
    IWriteTransaction BeginWrite();
}

/// <summary>Users, settings, rooms and support sessions as the core reads them.</summary>
internal interface IUserStore
{
    Task<UserRecord?> GetUserAsync(string name, CancellationToken ct);
    /// <summary>The setting's value, storing <paramref name="value"/> first if it has none (race-safe).</summary>
    string GetOrAddSetting(string key, string value);
    Task<IReadOnlyList<RoomInfo>> ListRoomsAsync(CancellationToken ct);
    Task<IReadOnlyList<string>> RoomMembersAsync(string room, CancellationToken ct);
    Task<bool> RoomExistsAsync(string room, CancellationToken ct);
    Task<bool> IsMemberAsync(string room, string user, CancellationToken ct);
    Task<SupportSession?> GetSessionAsync(long sid, CancellationToken ct);
}

internal sealed record UserRecord(string Name, string? PasswordHash, long CreatedAt);
internal sealed record RoomInfo(string Name, long Members);
internal sealed record SupportSession(long Sid, string Customer, string? Agent, long OpenedAt, long? ClosedAt);

/// <summary>One open membership: <paramref name="User"/> receives the messages of <paramref name="Room"/> from mid <paramref name="FromMid"/> (their join) on.</summary>
internal sealed record Membership(string Room, string User, long FromMid);
