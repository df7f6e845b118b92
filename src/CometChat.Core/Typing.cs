namespace CometChat.Core;

/// <summary>
/// Ephemeral typing events: never stored, no mid, never move a cursor, and reach only the recipient's
/// connections open at this moment.
/// </summary>
internal sealed class Typing(IWakeUpBus bus, IUserStore users, IConversationStore conversations, ChatLimits limits)
{
    public async Task PublishAsync(string from, string? to, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(to)) throw new ChatException(ChatError.BadRequest("'to' is required: a user name or #room."));
        limits.CheckTyping(from);
        if (to.StartsWith('#'))
        {
            var room = Names.Room(to, "to");
            if (!await users.IsMemberAsync(room, from, ct))
                throw new ChatException(ChatError.Forbidden($"'to': you are not a member of #{room}."));
            var e = ChatEvent.Typing(from, "#" + room);
            foreach (var member in await users.RoomMembersAsync(room, ct))
                if (member != from) bus.PublishEvent(member, e);
            return;
        }
        var name = Names.User(to, "to");
        if (await users.GetUserAsync(name, ct) is null) throw new ChatException(ChatError.NotFound($"'to': no user is named '{name}'."));
        if (name != from && await conversations.IsBlockedAsync(name, from, ct)) throw Blocks.Refused(name);
        bus.PublishEvent(name, ChatEvent.Typing(from, name));
    }
}
