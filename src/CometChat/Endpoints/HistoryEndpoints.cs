using CometChat.Core;
using CometChat.Http;

namespace CometChat.Endpoints;

internal static class HistoryEndpoints
{
    public static IEndpointRouteBuilder MapHistory(this IEndpointRouteBuilder api)
    {
        api.MapGet("/api/history", Get);
        return api;
    }

    private static async Task<RawJson<HistoryAnswer>> Get(ChatUser user, ChatParameters p, History history)
    {
        var before = QueryLimits.OptionalLong(p, "before");
        var limit = QueryLimits.Limit(p);
        return ChatResponse.History(await history.ReadAsync(user, p.Get("with"), QueryLimits.OptionalLong(p, "sid"), before, limit, p.Aborted));
    }
}
