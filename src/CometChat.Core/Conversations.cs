namespace CometChat.Core;

/// <summary>
/// History keys: one per direct pair, room, or customer's support thread; and the keys of messages that belong to
/// no history (read markers, recalls and edits), which must never sort into a room's timeline.
/// </summary>
internal static class Conversations
{
    public static string Direct(string a, string b) =>
        string.CompareOrdinal(a, b) <= 0 ? a + "\n" + b : b + "\n" + a;

    public static string Room(string room) => "#" + room;

    public static string Support(string customer) => "@support\n" + customer;

    /// <summary>The customer of a support thread's key, or null for any other key.</summary>
    public static string? SupportCustomer(string conversation) =>
        conversation.StartsWith("@support\n", StringComparison.Ordinal) && conversation.IndexOf('\n', 9) < 0 ? conversation[9..] : null;

    /// <summary>Agents' notes on a customer's sessions: kept apart so no read of the customer's thread can return them.</summary>
    public static string SupportNotes(string customer) => "@support\n" + customer + "\nnotes";

    /// <summary>Recalls and edits of <paramref name="conversation"/>'s messages: delivered by inbox rows only.</summary>
    public static string Changes(string conversation) => "~" + conversation;

    /// <summary>A user's read markers.</summary>
    public static string Markers(string user) => "!read\n" + user;

    /// <summary>The history key of <paramref name="m"/>, a direct, room or support message.</summary>
    public static string Of(Message m)
    {
        if (m.To.StartsWith('#')) return m.To;
        if (m.Sid is not null || m.To == SupportDesk.Address || m.From == SupportDesk.Address)
            return Support(m.To == SupportDesk.Address ? m.From : m.To);
        return Direct(m.From, m.To);
    }

    /// <summary>
    /// How <paramref name="user"/> names conversation <paramref name="conversation"/> (API.md §8 <c>with</c>) and its
    /// kind: <c>user</c> (the other one), <c>room</c> (<c>#room</c>) or <c>support</c> (<c>@support</c> for the
    /// customer, the customer's name for an agent); null for keys that are no conversation.
    /// </summary>
    public static (string With, string Kind)? Peer(string conversation, string user)
    {
        if (conversation.StartsWith('#')) return (conversation, ConversationKinds.Room);
        if (conversation.StartsWith("@support\n", StringComparison.Ordinal))
        {
            var customer = conversation["@support\n".Length..];
            return (customer == user ? SupportDesk.Address : customer, ConversationKinds.Support);
        }
        var cut = conversation.IndexOf('\n');
        if (cut <= 0 || conversation[0] is '~' or '!') return null;
        var a = conversation[..cut];
        var b = conversation[(cut + 1)..];
        return (a == user ? b : a, ConversationKinds.User);
    }
}

internal static class ConversationKinds
{
    public const string User = "user";
    public const string Room = "room";
    public const string Support = "support";
}
