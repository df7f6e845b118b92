using System.Text.Json.Serialization;
using CometChat.Core;
using CometChat.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CometChat.Endpoints;

/// <summary>Conversations with unread counts, read markers, search and blocks (API.md §8).</summary>
internal static class ConversationEndpoints
{
    public static IEndpointRouteBuilder MapConversations(this IEndpointRouteBuilder api)
    {
        api.MapGet("/api/conversations", List);
        api.MapPost("/api/read", MarkRead);
        api.MapGet("/api/markread", MarkRead); // for JSONP clients
        api.MapGet("/api/search", Find);
        api.MapPost("/api/blocks/{user}", Block);
        api.MapGet("/api/block", Block);
        api.MapDelete("/api/blocks/{user}", Unblock);
        api.MapGet("/api/unblock", Unblock);
        api.MapGet("/api/blocks", Blocked);
        return api;
    }

    private static async Task<RawJson<ConversationsAnswer>> List(ChatUser user, ChatParameters p, ConversationList conversations)
    {
        var limit = QueryLimits.Int(p, "limit", ConversationList.DefaultLimit, 1, QueryLimits.MaxLimit);
        return ChatResponse.Conversations(await conversations.ListAsync(user, QueryLimits.OptionalLong(p, "before"), limit, p.Aborted));
    }

    private static async Task<Ok<ReadAnswer>> MarkRead(ChatUser user, ChatParameters p, ConversationList conversations)
    {
        var r = await conversations.MarkReadAsync(user, p.Get("with"), QueryLimits.OptionalLong(p, "sid"), QueryLimits.OptionalLong(p, "upTo"),
            QueryLimits.Client(p), p.Aborted);
        return TypedResults.Ok(new ReadAnswer(r.With, r.ReadUpTo, r.Unread, r.Message is not null, r.Message?.Mid));
    }

    private static async Task<RawJson<SearchAnswer>> Find(ChatUser user, ChatParameters p, Search search)
    {
        var limit = QueryLimits.Int(p, "limit", Search.DefaultLimit, 1, Search.MaxLimit);
        return ChatResponse.Search(await search.FindAsync(user, p.Get("q"), p.Get("with"), QueryLimits.OptionalLong(p, "sid"),
            QueryLimits.OptionalLong(p, "before"), limit, p.Aborted));
    }

    // The caller is 'me' here: '{user}' is the route's.
    private static async Task<Ok<BlockAnswer>> Block(ChatUser me, ChatParameters p, Blocks blocks)
    {
        var (other, changed) = await blocks.BlockAsync(me, p.RouteOrGet("user"));
        return TypedResults.Ok(new BlockAnswer(other, true, changed));
    }

    private static async Task<Ok<BlockAnswer>> Unblock(ChatUser me, ChatParameters p, Blocks blocks)
    {
        var (other, changed) = await blocks.UnblockAsync(me, p.RouteOrGet("user"));
        return TypedResults.Ok(new BlockAnswer(other, false, changed));
    }

    private static async Task<Ok<BlockListAnswer>> Blocked(ChatUser user, ChatParameters p, Blocks blocks) =>
        TypedResults.Ok(new BlockListAnswer(await blocks.ListAsync(user, p.Aborted)));
}

/// <summary>
/// A read marker: the conversation (<c>with</c>, as the caller's list names it), the marker now (<c>readUpTo</c>, a mid),
/// <c>unread</c> after it, whether it moved (<c>changed</c>), and then the <c>mid</c> of the <c>read</c> feed message.
/// </summary>
internal sealed record ReadAnswer(
    string With,
    long ReadUpTo,
    int Unread,
    bool Changed,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Mid);

/// <summary>A block or unblock: the <c>user</c>, whether they are <c>blocked</c> now, whether anything <c>changed</c>.</summary>
internal sealed record BlockAnswer(string User, bool Blocked, bool Changed);

/// <summary>The users the caller blocks, in name order.</summary>
internal sealed record BlockListAnswer(IReadOnlyList<string> Blocks);
