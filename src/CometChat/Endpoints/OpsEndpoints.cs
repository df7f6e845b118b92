using CometChat.Core;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CometChat.Endpoints;

internal static class OpsEndpoints
{
    public static IEndpointRouteBuilder MapStats(this IEndpointRouteBuilder api)
    {
        api.MapGet("/api/stats", Stats);
        return api;
    }

    /// <summary>/metrics, on the anonymous group like /healthz: restrict it at the proxy if that matters.</summary>
    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder open)
    {
        open.MapGet("/metrics", async (ChatStats stats, DeskReport desk, IDeskStore deskStore, HttpContext ctx) =>
            Results.Text(PrometheusText.Of(stats) + PrometheusText.Desk(await desk.MetricsAsync(ctx.RequestAborted), (await deskStore.QueueAsync(ctx.RequestAborted)).Count),
                PrometheusText.ContentType)).ExcludeFromDescription();
        return open;
    }

    private static Ok<StatsAnswer> Stats(ChatStats stats, Feed feed) => TypedResults.Ok(new StatsAnswer(
        stats.ParkedPolls, stats.OpenStreams, stats.OpenSockets, stats.MessagesStored, Math.Round(stats.MessagesPerSecond(), 2),
        stats.Deliveries, Math.Round(stats.DeliveriesPerSecond(), 2), feed.Head));
}

/// <summary>
/// Counters now: polls parked, streams and SSE open, sockets (WebSocket and TCP) open, messages stored and
/// delivered (and per second over the last 10 s), and the feed head.
/// </summary>
internal sealed record StatsAnswer(long ParkedPolls, long OpenStreams, long Sockets, long MessagesStored, double MessagesPerSecond,
    long Deliveries, double DeliveriesPerSecond, long Head);
