using CometChat.Core;
using CometChat.Http;

namespace CometChat.Endpoints;

internal static class OpsEndpoints
{
    public static IEndpointRouteBuilder MapOps(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", Health);
        app.MapGet("/api/stats", Stats);
        return app;
    }

    /// <summary>200 only when a real write commits: a read-only or full disk must turn this 503.</summary>
    private static async Task<IResult> Health(ChatRequest req, MessageWriter writer, TimeProvider time)
    {
        string? problem = null;
        try
        {
            await writer.RunAsync(tx =>
            {
                tx.SetSetting("health.checkedAt", time.GetUtcNow().ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
                return true;
            }).WaitAsync(TimeSpan.FromSeconds(5), time, req.Aborted);
        }
        catch (Exception e) when (e is ChatException or TimeoutException or StoreUnavailableException)
        {
            problem = e is TimeoutException ? "The store did not commit within 5 seconds." : e.Message;
        }
        if (problem is null)
            return ChatResponse.Ok(req, w => { w.WriteStartObject(); w.WriteString("status", "ok"); w.WriteEndObject(); });
        throw new ChatException(ChatError.Unavailable(problem));
    }

    private static async Task<IResult> Stats(ChatRequest req, ChatStats stats, Feed feed)
    {
        await req.UserAsync();
        return ChatResponse.Ok(req, w =>
        {
            w.WriteStartObject();
            w.WriteNumber("parkedPolls", stats.ParkedPolls);
            w.WriteNumber("openStreams", stats.OpenStreams);
            w.WriteNumber("sockets", stats.OpenSockets);
            w.WriteNumber("messagesStored", stats.MessagesStored);
            w.WriteNumber("messagesPerSecond", Math.Round(stats.MessagesPerSecond(), 2));
            w.WriteNumber("deliveries", stats.Deliveries);
            w.WriteNumber("head", feed.Head);
            w.WriteEndObject();
        });
    }
}
