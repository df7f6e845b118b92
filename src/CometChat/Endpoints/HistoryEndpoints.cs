using CometChat.Core;
using CometChat.Http;

namespace CometChat.Endpoints;

internal static class HistoryEndpoints
{
    public static IEndpointRouteBuilder MapHistory(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/history", Get);
        return app;
    }

    private static async Task<IResult> Get(ChatRequest req, History history)
    {
        var user = await req.UserAsync();
        var before = QueryLimits.OptionalLong(req, "before");
        var limit = QueryLimits.Limit(req);
        var page = await history.ReadAsync(user, req.Get("with"), QueryLimits.OptionalLong(req, "sid"), before, limit, req.Aborted);
        return ChatResponse.Ok(req, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("messages");
            foreach (var m in page.Messages) w.WriteRawValue(m.Json, skipInputValidation: true);
            w.WriteEndArray();
            w.WriteBoolean("more", page.More);
            // The next older page's 'before'; absent when there is none.
            if (page.More) w.WriteNumber("before", page.Before!.Value);
            w.WriteEndObject();
        });
    }
}
