namespace CometChat.Core;

/// <summary>
/// Blocks (API.md §8): a user's block list, kept in the store. A blocked user's direct messages, typing and receipts
/// to the blocker are refused with 403 (checked where each is sent: <see cref="DirectRoute"/>, <see cref="Typing"/>,
/// <see cref="Receipts"/>); rooms and the support desk are unaffected.
/// </summary>
internal sealed class Blocks(MessageWriter writer, IConversationStore store, TimeProvider time)
{
    /// <summary>The refusal the contract fixes, word for word.</summary>
    public static ChatException Refused(string blocker) => new(ChatError.Forbidden($"'to': {blocker} does not accept messages from you."));

    /// <summary>Blocks <paramref name="target"/>; false when it was blocked already.</summary>
    public Task<(string User, bool Changed)> BlockAsync(string user, string? target) => Change(user, target, block: true);

    public Task<(string User, bool Changed)> UnblockAsync(string user, string? target) => Change(user, target, block: false);

    public Task<IReadOnlyList<string>> ListAsync(string user, CancellationToken ct) => store.BlocksOfAsync(user, ct);

    private async Task<(string, bool)> Change(string user, string? target, bool block)
    {
        var other = Names.User(target, "user");
        if (other == user) throw new ChatException(ChatError.BadRequest("'user': you cannot block yourself."));
        var changed = await writer.RunAsync(tx =>
        {
            if (!tx.Users.UserExists(other)) throw new ChatException(ChatError.NotFound($"'user': no user is named '{other}'."));
            return block ? tx.Users.Block(user, other, time.GetUtcNow().ToUnixTimeMilliseconds()) : tx.Users.Unblock(user, other);
        });
        return (other, changed);
    }
}
