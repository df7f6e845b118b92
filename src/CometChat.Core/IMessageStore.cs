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

    /// <summary>The messages of support session <paramref name="sid"/> before <paramref name="before"/>, newest first, at most <paramref name="limit"/> rows.</summary>
    Task<IReadOnlyList<Message>> ReadSessionAsync(long sid, long before, int limit, CancellationToken ct);

    Task<Message?> GetAsync(long mid, CancellationToken ct);

    /// <summary>Every open room membership (for the in-memory index of one node; see <see cref="RoomMembers"/>).</summary>
    IReadOnlyList<Membership> OpenMemberships();

    /// <summary>Opens the single write transaction; only <see cref="MessageWriter"/> calls this.</summary>
    IWriteTransaction BeginWrite();
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
/// Which message bodies to erase (one store operation for account deletion, retention and, later, recall): any
/// combination of one message, a sender, and a sent-before time (epoch ms), at most <see cref="Limit"/> messages,
/// of the <see cref="MessageKinds.Erasable"/> kinds, not yet erased.
/// </summary>
internal sealed record MessageErasure(long? Mid = null, string? Sender = null, long? SentBefore = null, int Limit = int.MaxValue);

/// <summary>Which table of names: users or rooms.</summary>
internal enum NameKind { User, Room }

/// <summary>A user; tokens issued at or before <see cref="TokensAfter"/> (epoch ms) are void.</summary>
internal sealed record UserRecord(string Name, string? PasswordHash, long CreatedAt, long? TokensAfter);
internal sealed record RoomInfo(string Name, long Members);
internal sealed record SupportSession(long Sid, string Customer, string? Agent, long OpenedAt, long? ClosedAt);

/// <summary>One open membership: <paramref name="User"/> receives the messages of <paramref name="Room"/> from mid <paramref name="FromMid"/> (their join) on.</summary>
internal sealed record Membership(string Room, string User, long FromMid);
