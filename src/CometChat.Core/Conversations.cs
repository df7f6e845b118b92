namespace CometChat.Core;

/// <summary>History keys: one per direct pair, room, or customer's support thread.</summary>
internal static class Conversations
{
    public static string Direct(string a, string b) =>
        string.CompareOrdinal(a, b) <= 0 ? a + "\n" + b : b + "\n" + a;

    public static string Room(string room) => "#" + room;

    public static string Support(string customer) => "@support\n" + customer;

    /// <summary>Agents' notes on a customer's sessions: kept apart so no read of the customer's thread can return them.</summary>
    public static string SupportNotes(string customer) => "@support\n" + customer + "\nnotes";
}
