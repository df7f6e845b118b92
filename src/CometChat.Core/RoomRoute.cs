namespace CometChat.Core;

/// <summary>
/// A message to <c>#room</c>: only members may send (403; 404 for an unknown room), and it reaches the
/// members at commit time (their membership intervals hold its mid), so joining later or having left means not receiving it.
/// </summary>
internal sealed class RoomRoute : IMessageRoute
{
    public bool Handles(SendRequest req) => req.To is not null && req.To.StartsWith('#');

    public void Validate(string from, SendRequest req)
    {
        Names.Room(req.To, "to");
        if (req.Sid is not null) throw new ChatException(ChatError.BadRequest("'sid' belongs to support replies; a room message takes none."));
    }

    public RoutedMessage Route(IWrites tx, string from, SendRequest req, Message draft)
    {
        var room = Names.Room(req.To, "to");
        if (!tx.Rooms.IsMember(room, from))
        {
            if (!tx.Rooms.RoomExists(room)) throw new ChatException(ChatError.NotFound($"'to': no room is named '#{room}'."));
            throw new ChatException(ChatError.Forbidden($"'to': you are not a member of #{room}; join it first."));
        }
        // Stored once: every member at its mid reads it on the room's timeline (fan-out on read).
        return RoutedMessage.ToRoom(draft, room);
    }
}
