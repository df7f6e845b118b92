namespace CometChat.Core;

/// <summary>A page of search results, newest first; <see cref="Before"/> asks for the next older page.</summary>
internal sealed record SearchPage(IReadOnlyList<Message> Messages, bool More)
{
    public long? Before => More ? Messages[^1].Mid : null;
}

/// <summary>
/// Search (API.md §8) over what the caller may read: text and file messages of their direct and support threads
/// (inbox rows) and of their rooms inside their membership intervals (never a room they left, after leaving, or one
/// they never joined), whose body contains the query, case-insensitively, in any script. Recalled messages leave the
/// index in the transaction that recalls them; edited ones are found by their latest body.
/// </summary>
internal sealed class Search(IConversationStore store, History history)
{
    public const int DefaultLimit = 20, MaxLimit = 100;

    public async Task<SearchPage> FindAsync(string user, string? q, string? with, long? sid, long? before, int limit, CancellationToken ct)
    {
        var query = SearchGrams.Query(q);
        var conversation = string.IsNullOrEmpty(with) ? null : await history.KeyAsync(user, with, sid, ct);
        var rows = await store.SearchAsync(user, query, conversation, before ?? long.MaxValue, limit + 1, ct);
        var more = rows.Count > limit;
        return new SearchPage(more ? [.. rows.Take(limit)] : rows, more);
    }
}
