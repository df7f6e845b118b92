namespace CometChat.Core;

/// <summary>Reads of messages as the core needs them. Writes go through <see cref="IWriteTransaction"/> only.</summary>
internal interface IMessageStore
{
    /// <summary>Creates or migrates the schema; returns the highest committed mid.</summary>
    long Initialize();

    long CountMessages();

    /// <summary>The highest committed mid now (other nodes' commits included, on a shared store).</summary>
    Task<long> ReadHeadAsync(CancellationToken ct);

    /// <summary>The user's feed after <paramref name="after"/>, ascending by mid, at most <paramref name="limit"/> rows.</summary>
    Task<IReadOnlyList<Message>> ReadFeedAsync(string user, long after, int limit, CancellationToken ct);

    /// <summary>One conversation before <paramref name="before"/>, newest first, at most <paramref name="limit"/> rows.</summary>
    Task<IReadOnlyList<Message>> ReadConversationAsync(string conversation, long before, int limit, CancellationToken ct);

    /// <summary>The messages of support session <paramref name="sid"/> before <paramref name="before"/>, newest first, at most <paramref name="limit"/> rows.</summary>
    Task<IReadOnlyList<Message>> ReadSessionAsync(long sid, long before, int limit, CancellationToken ct);

    Task<Message?> GetAsync(long mid, CancellationToken ct);

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

/// <summary>
/// One write transaction of the writer's batch. Every work item runs inside a savepoint, so a rejected
/// item leaves no trace while the rest of the batch still commits together.
/// </summary>
internal interface IWriteTransaction : IDisposable
{
    Message? FindBySenderId(string sender, string id);
    /// <summary>Stores <paramref name="draft"/> (its Mid ignored) in the feeds of <paramref name="recipients"/>.</summary>
    Message Append(Message draft, IReadOnlyCollection<string> recipients, string conversation);
    Message? GetMessage(long mid);
    bool IsRecipient(long mid, string user);

    bool UserExists(string name);
    UserRecord? GetUser(string name);
    void CreateUser(string name, string? passwordHash, long createdAt);
    /// <summary>Replaces the user's password hash (null: no password, so no /api/login).</summary>
    void SetPassword(string name, string? passwordHash);
    void SetSetting(string key, string value);

    bool RoomExists(string room);
    void CreateRoom(string room, string createdBy, long createdAt);
    IReadOnlyList<string> RoomMembers(string room);
    bool IsMember(string room, string user);
    void AddMember(string room, string user, long joinedAt);
    void RemoveMember(string room, string user);

    SupportSession? OpenSessionOf(string customer);
    SupportSession? GetSession(long sid);
    IReadOnlyList<SupportSession> UnassignedSessions();
    IReadOnlyDictionary<string, int> OpenSessionCounts();
    long CreateSession(string customer, string? agent, long openedAt);
    void AssignSession(long sid, string agent);
    void CloseSession(long sid, long closedAt);

    /// <summary>Up to <paramref name="limit"/> names of <paramref name="kind"/> whose skeleton is not yet stored (rows from before names had one).</summary>
    IReadOnlyList<string> NamesWithoutSkeleton(NameKind kind, int limit);
    /// <summary>Forgets every stored skeleton of <paramref name="kind"/>, so they are computed again (the profile or its data changed).</summary>
    void ClearSkeletons(NameKind kind);
    void SetSkeleton(NameKind kind, string name, string skeleton);
    /// <summary>The names of <paramref name="kind"/> whose UTS #39 skeleton is <paramref name="skeleton"/>, in name order.</summary>
    IReadOnlyList<string> NamesWithSkeleton(NameKind kind, string skeleton);
    /// <summary>Groups of two or more names of <paramref name="kind"/> sharing one skeleton (look-alikes stored before they were refused).</summary>
    IReadOnlyList<string[]> SkeletonCollisions(NameKind kind);
    /// <summary>
    /// Renames a user or room everywhere its name is stored (messages, feeds, conversations, memberships, sessions),
    /// so nothing it sent or received is lost; <paramref name="to"/> must be free.
    /// </summary>
    void Rename(NameKind kind, string from, string to);

    /// <summary>Voids every token of <paramref name="user"/> issued before <paramref name="at"/> (epoch ms).</summary>
    void RevokeTokens(string user, long at);
    /// <summary>Voids one token (by its SHA-256) until <paramref name="expiresAt"/>, when it would have expired anyway.</summary>
    void RevokeToken(string tokenHash, string user, long expiresAt);
    /// <summary>Forgets revocations of tokens that have expired since.</summary>
    void PurgeRevokedTokens(long now);
    /// <summary>Marks the account deleted (its name stays taken), without a password and with every token void.</summary>
    void DeleteUser(string user, long at);
    /// <summary>The rooms <paramref name="user"/> is a member of.</summary>
    IReadOnlyList<string> RoomsOf(string user);
    /// <summary>
    /// Empties the bodies of the messages <paramref name="what"/> names, keeping each row, mid and feed entry, so cursors
    /// and history stay whole; answers how many were erased. The one place message content is erased.
    /// </summary>
    int EraseMessages(MessageErasure what, long erasedAt);

    void Savepoint();
    void ReleaseSavepoint();
    void RollbackToSavepoint();
    void Commit();
}
