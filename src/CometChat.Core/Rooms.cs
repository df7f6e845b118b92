namespace CometChat.Core;

/// <summary>The result of a join or leave: the membership after it, and the message when it changed anything.</summary>
internal sealed record RoomChange(string Room, bool Member, Message? Message, int Members);

/// <summary>A page of rooms; <see cref="After"/> is the <c>after</c> of the next page when <see cref="More"/>.</summary>
internal sealed record RoomPage(IReadOnlyList<RoomInfo> Rooms, bool More)
{
    public string? After => More ? Rooms[^1].Name : null;
}

/// <summary>One member of a room and whether they are online now.</summary>
internal sealed record RoomMember(string User, PresenceInfo Presence);

/// <summary>
/// Room membership. Join creates a room the first time; each change is a join/leave message in the room,
/// stored in the same transaction as the membership row so "a member receives what was sent while a
/// member" is settled by one commit. Joining twice or leaving a room you are not in changes nothing and
/// stores nothing (a retried request is safe); leaving a room that does not exist is a 404.
/// </summary>
internal sealed class Rooms(MessageWriter writer, IUserStore users, Presence presence, TimeProvider time, ChatLimits limits)
{
    public async Task<RoomChange> JoinAsync(string user, string? roomValue, string? client, CancellationToken ct = default)
    {
        var room = Names.Room(roomValue, "room");
        MessageSender.CheckClient(client);
        limits.CheckRoomChange(user);
        // Checked before the writer (a limit may ask the backplane); a room created meanwhile by another costs a permit, no more.
        if (!await users.RoomExistsAsync(room, ct)) limits.CheckRoomCreation(user);
        return await writer.RunAsync(tx =>
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            if (!tx.RoomExists(room))
            {
                var skeleton = LookAlikes.Check(tx, NameKind.Room, room, "room");
                tx.CreateRoom(room, user, now);
                tx.SetSkeleton(NameKind.Room, room, skeleton);
            }
            else if (tx.IsMember(room, user)) return new RoomChange(room, true, null, tx.RoomMembers(room).Count);
            tx.AddMember(room, user, now);
            // Members after joining: the joiner gets their own join message.
            var members = tx.RoomMembers(room);
            var m = tx.Append(Draft(user, room, MessageKinds.Join, "joined", now, client), members, Conversations.Room(room));
            return new RoomChange(room, true, m, members.Count);
        });
    }

    public Task<RoomChange> LeaveAsync(string user, string? roomValue, string? client)
    {
        var room = Names.Room(roomValue, "room");
        MessageSender.CheckClient(client);
        limits.CheckRoomChange(user);
        return writer.RunAsync(tx =>
        {
            if (!tx.RoomExists(room)) throw new ChatException(ChatError.NotFound($"'room': no room is named '#{room}'."));
            return Leave(tx, user, room, time.GetUtcNow().ToUnixTimeMilliseconds(), client);
        });
    }

    /// <summary>Inside the writer: <paramref name="user"/> leaves <paramref name="room"/> (a leave message to the members), if a member.</summary>
    public static RoomChange Leave(IWriteTransaction tx, string user, string room, long now, string? client = null)
    {
        // Members before leaving: the leaver gets their own leave message, and nothing after it.
        var members = tx.RoomMembers(room);
        if (!members.Contains(user)) return new RoomChange(room, false, null, members.Count);
        tx.RemoveMember(room, user);
        var m = tx.Append(Draft(user, room, MessageKinds.Leave, "left", now, client), members, Conversations.Room(room));
        return new RoomChange(room, false, m, members.Count - 1);
    }

    /// <summary>One page of rooms in name order after <paramref name="after"/>; with <paramref name="mine"/>, only the user's.</summary>
    public async Task<RoomPage> ListAsync(string user, string? after, int limit, bool mine, CancellationToken ct)
    {
        var rows = await users.ListRoomsAsync(after is null or "" ? null : Names.Room(after, "after"), limit + 1, mine ? user : null, ct);
        return new RoomPage(rows.Count > limit ? [.. rows.Take(limit)] : rows, rows.Count > limit);
    }

    public async Task<(string Room, IReadOnlyList<RoomMember> Members)> GetAsync(string? roomValue, CancellationToken ct)
    {
        var room = Names.Room(roomValue, "room");
        if (!await users.RoomExistsAsync(room, ct)) throw new ChatException(ChatError.NotFound($"'room': no room is named '#{room}'."));
        var members = await users.RoomMembersAsync(room, ct);
        return (room, [.. members.Select(u => new RoomMember(u, presence.Get(u)))]);
    }

    private static Message Draft(string user, string room, string kind, string body, long now, string? client) =>
        new(0, Guid.NewGuid().ToString(), user, "#" + room, kind, body, now, Client: client);
}
