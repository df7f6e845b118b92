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
/// stored once on the room's timeline in the same transaction that opens or closes the member's interval
/// of mids, so "a member receives what was sent while a member" is settled by one commit. Joining twice or leaving a room you are not in changes nothing and
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
            if (!tx.Rooms.RoomExists(room))
            {
                var skeleton = LookAlikes.Check(tx, NameKind.Room, room, "room");
                tx.Rooms.CreateRoom(room, user, now);
                tx.Names.SetSkeleton(NameKind.Room, room, skeleton);
            }
            else if (tx.Rooms.IsMember(room, user)) return new RoomChange(room, true, null, tx.Rooms.CountMembers(room));
            // The membership starts at the join message's own mid: the joiner reads their own join.
            var m = tx.Messages.AppendToRoom(Draft(user, room, MessageKinds.Join, "joined", now, client), room);
            tx.Rooms.Join(room, user, m.Mid, now);
            return new RoomChange(room, true, m, tx.Rooms.CountMembers(room));
        });
    }

    public Task<RoomChange> LeaveAsync(string user, string? roomValue, string? client)
    {
        var room = Names.Room(roomValue, "room");
        MessageSender.CheckClient(client);
        limits.CheckRoomChange(user);
        return writer.RunAsync(tx =>
        {
            if (!tx.Rooms.RoomExists(room)) throw new ChatException(ChatError.NotFound($"'room': no room is named '#{room}'."));
            return Leave(tx, user, room, time.GetUtcNow().ToUnixTimeMilliseconds(), client);
        });
    }

    /// <summary>Inside the writer: <paramref name="user"/> leaves <paramref name="room"/> (a leave message to the members), if a member.</summary>
    public static RoomChange Leave(IWrites tx, string user, string room, long now, string? client = null)
    {
        if (!tx.Rooms.IsMember(room, user)) return new RoomChange(room, false, null, tx.Rooms.CountMembers(room));
        // The membership ends at the leave message's own mid: the leaver reads their own leave, and nothing after it.
        var m = tx.Messages.AppendToRoom(Draft(user, room, MessageKinds.Leave, "left", now, client), room);
        tx.Rooms.Leave(room, user, m.Mid);
        return new RoomChange(room, false, m, tx.Rooms.CountMembers(room));
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
