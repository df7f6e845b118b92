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
    IReadMarkerWrites ReadMarkers { get; }
    IFileWrites Files { get; }
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
    /// Bodies were erased in bulk in this batch (<see cref="IMessageWrites.EraseMessages"/>): the recent-messages cache
    /// must forget what it holds. (A recall or edit replaces its one message through <see cref="Changed"/>.)
    /// </summary>
    bool Erased { get; }
    /// <summary>Stored messages this batch rewrote (recalled, edited), as they read now: the cache must replace its copies.</summary>
    IReadOnlyList<Appended> Changed { get; }

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
    /// <summary>Everyone whose feed holds <paramref name="m"/>: its inbox rows, or the room members whose interval holds its mid.</summary>
    IReadOnlyCollection<string> RecipientsOf(Message m);
    /// <summary>
    /// Erases <paramref name="m"/>'s body for good (and the bodies of its edits), drops its file reference and its search
    /// entry, and marks it recalled at <paramref name="at"/>; answers the message as it reads now.
    /// </summary>
    Message Recall(Message m, long at);
    /// <summary>Replaces <paramref name="m"/>'s body (and its search entry), marking it edited at <paramref name="at"/>.</summary>
    Message Edit(Message m, string body, long at);
    /// <summary>
    /// Erases the messages <paramref name="what"/> names as a recall does (bodies, their edits' bodies, files and search
    /// entries), keeping each row, mid and feed entry, so cursors and history stay whole; answers how many were erased
    /// and the ids of the files they carried (a folder's copies go after the commit).
    /// </summary>
    (int Count, IReadOnlyList<string> Files) EraseMessages(MessageErasure what, long erasedAt);
}

/// <summary>
/// Per-user conversation rows (direct and support threads, written with each of their messages; rooms, written with
/// the join and dropped with the leave) and their read markers, which never move back.
/// </summary>
internal interface IReadMarkerWrites
{
    /// <summary>The caller's marker in <paramref name="conversation"/>, or null when it is not one of theirs.</summary>
    long? ReadUpTo(string user, string conversation);
    /// <summary>Moves the marker up to <paramref name="upTo"/>; false when it already was there or beyond.</summary>
    bool MarkRead(string user, string conversation, long upTo);
}

/// <summary>Uploaded files: metadata, content (in the store, or null when a folder holds it), the message that carries each.</summary>
internal interface IFileWrites
{
    void Add(StoredFile file, byte[]? content);
    StoredFile? Get(string id);
    /// <summary>Records that message <paramref name="mid"/> carries file <paramref name="id"/>.</summary>
    void Attach(string id, long mid);
    /// <summary>Files <paramref name="owner"/> uploaded after <paramref name="since"/> (epoch ms): how many, and the oldest's time.</summary>
    (int Count, long? Oldest) UploadedSince(string owner, long since);
    /// <summary>Deletes the file message <paramref name="mid"/> carries, content and all; its id, or null when it carried none.</summary>
    string? EraseOf(long mid);
    /// <summary>
    /// Deletes files uploaded but never sent, of <paramref name="owner"/> and/or uploaded before <paramref name="uploadedBefore"/>
    /// (epoch ms): account deletion and retention; their ids (a folder's copies go after the commit).
    /// </summary>
    IReadOnlyList<string> EraseUnsent(string? owner, long? uploadedBefore);
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
    bool IsBlocked(string blocker, string blocked);
    /// <summary>
    /// Whether user <paramref name="name"/> exists, and whether they block <paramref name="sender"/>: a direct send's two
    /// checks in one read (one round trip inside the write lock, not two).
    /// </summary>
    (bool Exists, bool Blocks) UserAndBlock(string name, string sender);
    /// <summary>False when <paramref name="blocker"/> already blocked <paramref name="blocked"/>.</summary>
    bool Block(string blocker, string blocked, long at);
    /// <summary>False when there was no such block.</summary>
    bool Unblock(string blocker, string blocked);
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
