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

    /// <summary>
    /// On a shared store, the highest mid committed before this batch, read under the write lock: every mid up to it
    /// is committed or will never exist, and no other batch commits between it and this one. Null on one node's store.
    /// </summary>
    long? After { get; }

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
}

internal interface IUserWrites
{
    bool UserExists(string name);
    UserRecord? GetUser(string name);
    void CreateUser(string name, string? passwordHash, long createdAt);
    void SetSetting(string key, string value);
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
