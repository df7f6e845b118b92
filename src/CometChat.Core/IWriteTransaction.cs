namespace CometChat.Core;

/// <summary>
/// What a work item of <see cref="MessageWriter"/> may do inside the batch's transaction, by role. Every call
/// runs in the item's savepoint, so a rejected item (a ChatException) leaves no trace.
/// </summary>
internal interface IWrites
{
    IMessageWrites Messages { get; }
    IUserWrites Users { get; }
    IRoomWrites Rooms { get; }
    ISupportWrites Support { get; }
    INameWrites Names { get; }
    /// <summary>The support desk's tables (API.md §7): session details, away switches, canned responses, the outbox.</summary>
    IDeskWrites Desk { get; }
}

/// <summary>
/// The writer loop's view of one batch: the role-scoped writes, the item savepoints, the commit, and every
/// message appended so far (an item rolled back to its savepoint takes its messages out again), which the
/// writer caches and wakes after the commit.
/// </summary>
internal interface IWriteTransaction : IWrites, IDisposable
{
    IReadOnlyList<Appended> Appended { get; }
    /// <summary>Bodies were erased in this batch: the recent-messages cache must forget what it holds.</summary>
    bool Erased { get; }
    void Savepoint();
    void ReleaseSavepoint();
    void RollbackToSavepoint();
    void Commit();
}

/// <summary>
/// A message stored by this batch. <paramref name="Recipients"/> are its inbox rows (direct, support, receipts);
/// null for a room message, which is stored once on its room's timeline (room = <c>To</c> without '#').
/// </summary>
internal readonly record struct Appended(Message Message, IReadOnlyCollection<string>? Recipients)
{
    public string? Room => Recipients is null ? Message.To[1..] : null;
}

internal interface IMessageWrites
{
    Message? FindBySenderId(string sender, string id);
    /// <summary>Stores <paramref name="draft"/> (its Mid ignored) with one inbox row per recipient.</summary>
    Message Append(Message draft, IReadOnlyCollection<string> recipients, string conversation);
    /// <summary>Stores <paramref name="draft"/> once, on the timeline of <paramref name="room"/>: every member at its mid reads it there.</summary>
    Message AppendToRoom(Message draft, string room);
    Message? GetMessage(long mid);
    /// <summary>True when <paramref name="m"/> is in <paramref name="user"/>'s feed (an inbox row, or a room message inside their membership).</summary>
    bool IsRecipient(Message m, string user);
    /// <summary>
    /// Empties the bodies of the messages <paramref name="what"/> names, keeping each row, mid and feed entry, so cursors
    /// and history stay whole; answers how many were erased. The one place message content is erased.
    /// </summary>
    int EraseMessages(MessageErasure what, long erasedAt);
}

internal interface IUserWrites
{
    bool UserExists(string name);
    UserRecord? GetUser(string name);
    void CreateUser(string name, string? passwordHash, long createdAt);
    void SetSetting(string key, string value);
    /// <summary>Replaces the user's password hash (null: no password, so no /api/login).</summary>
    void SetPassword(string name, string? passwordHash);
    /// <summary>Voids every token of <paramref name="user"/> issued at or before <paramref name="at"/> (epoch ms).</summary>
    void RevokeTokens(string user, long at);
    /// <summary>Voids one token (by its SHA-256) until <paramref name="expiresAt"/>, when it would have expired anyway.</summary>
    void RevokeToken(string tokenHash, string user, long expiresAt);
    /// <summary>Forgets revocations of tokens that have expired since.</summary>
    void PurgeRevokedTokens(long now);
    /// <summary>Marks the account deleted (its name stays taken), without a password and with every token void.</summary>
    void DeleteUser(string user, long at);
}

/// <summary>Rooms and their membership intervals (joined at mid J, left at mid L), written with the join or leave message.</summary>
internal interface IRoomWrites
{
    bool RoomExists(string room);
    void CreateRoom(string room, string createdBy, long createdAt);
    bool IsMember(string room, string user);
    int CountMembers(string room);
    IReadOnlyList<string> Members(string room);
    /// <summary>Opens <paramref name="user"/>'s membership at <paramref name="fromMid"/>, the mid of their join message.</summary>
    void Join(string room, string user, long fromMid, long joinedAt);
    /// <summary>Closes <paramref name="user"/>'s open membership at <paramref name="toMid"/>, the mid of their leave message.</summary>
    void Leave(string room, string user, long toMid);
    /// <summary>The rooms <paramref name="user"/> is a member of now.</summary>
    IReadOnlyList<string> RoomsOf(string user);
}

internal interface ISupportWrites
{
    SupportSession? OpenSessionOf(string customer);
    SupportSession? GetSession(long sid);
    IReadOnlyList<SupportSession> UnassignedSessions();
    IReadOnlyDictionary<string, int> OpenSessionCounts();
    long CreateSession(string customer, string? agent, long openedAt);
    void AssignSession(long sid, string agent);
    void CloseSession(long sid, long closedAt);
}

/// <summary>Users' and rooms' names under the name profile: UTS #39 skeletons, and renames of names stored before it.</summary>
internal interface INameWrites
{
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
}
