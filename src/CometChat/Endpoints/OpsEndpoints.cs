using CometChat.Core;
using CometChat.Http;

namespace CometChat.Endpoints;

internal static class OpsEndpoints
{
    public static IEndpointRouteBuilder MapOps(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", Health);
        app.MapGet("/api/stats", Stats);
        app.MapGet("/metrics", Metrics);
        return app;
    }

    /// <summary>
    /// 200 only when a real write commits: a read-only or full disk, or an unreachable PostgreSQL, must turn
    /// this 503. A Redis backplane that is down is 200 "degraded": the node still serves every request, only
    /// other nodes' messages reach it later (on the next read or heartbeat).
    /// </summary>
    private static async Task<IResult> Health(ChatRequest req, MessageWriter writer, IWakeUpBus bus, TimeProvider time)
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
        var backplane = bus.State;
        if (problem is null)
            return ChatResponse.Ok(req, w =>
            {
                w.WriteStartObject();
                w.WriteString("status", backplane == BusState.Down ? "degraded" : "ok");
                if (backplane != BusState.Local) w.WriteString("backplane", backplane == BusState.Up ? "up" : "down");
                w.WriteEndObject();
            });
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
            w.WriteNumber("deliveriesPerSecond", Math.Round(stats.DeliveriesPerSecond(), 2));
            w.WriteNumber("head", feed.Head);
            w.WriteEndObject();
        });
    }

    /// <summary>Prometheus text format. Unauthenticated like /healthz: restrict it at the proxy if that matters.</summary>
    private static async Task<IResult> Metrics(ChatStats stats, DeskReport desk, IDeskStore deskStore, HttpContext ctx)
    {
        var t = new System.Text.StringBuilder();
        void Gauge(string name, string help, double value, string type = "gauge")
        {
            t.Append("# HELP ").Append(name).Append(' ').Append(help).Append("\n# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
            t.Append(name).Append(' ').Append(value.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        }
        void Histo(string name, string help, Histogram h)
        {
            var (cumulative, count, sum) = h.Snapshot();
            t.Append("# HELP ").Append(name).Append(' ').Append(help).Append("\n# TYPE ").Append(name).Append(" histogram\n");
            for (var i = 0; i < h.Bounds.Count; i++)
                t.Append(name).Append("_bucket{le=\"").Append(h.Bounds[i].ToString(System.Globalization.CultureInfo.InvariantCulture)).Append("\"} ").Append(cumulative[i]).Append('\n');
            t.Append(name).Append("_bucket{le=\"+Inf\"} ").Append(count).Append('\n');
            t.Append(name).Append("_sum ").Append(sum.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
            t.Append(name).Append("_count ").Append(count).Append('\n');
        }
        Gauge("cometchat_parked_polls", "Long polls parked now.", stats.ParkedPolls);
        Gauge("cometchat_open_streams", "Streams and SSE connections open now.", stats.OpenStreams);
        Gauge("cometchat_open_sockets", "WebSocket and TCP connections open now.", stats.OpenSockets);
        Gauge("cometchat_messages_stored_total", "Messages stored.", stats.MessagesStored, "counter");
        Gauge("cometchat_deliveries_total", "Messages handed to clients.", stats.Deliveries, "counter");
        Gauge("cometchat_messages_per_second", "Messages stored per second over the last 10 s.", stats.MessagesPerSecond());
        Gauge("cometchat_deliveries_per_second", "Deliveries per second over the last 10 s.", stats.DeliveriesPerSecond());
        Histo("cometchat_commit_batch_size", "Messages per group commit.", stats.CommitBatchSizes);
        Histo("cometchat_wake_latency_ms", "Milliseconds from a wake-up to the woken reader having its page.", stats.WakeLatencyMs);
        AppendDesk(t, await desk.MetricsAsync(ctx.RequestAborted), (await deskStore.QueueAsync(ctx.RequestAborted)).Count);
        return Results.Text(t.ToString(), "text/plain; version=0.0.4; charset=utf-8");
    }

    /// <summary>GET /api/support/report's all-time figures, per agent (label <c>agent</c>) and in total (no label).</summary>
    private static void AppendDesk(System.Text.StringBuilder t, ReportView report, int queued)
    {
        var c = System.Globalization.CultureInfo.InvariantCulture;
        t.Append("# HELP cometchat_support_queue_length Support sessions waiting for an agent now.\n# TYPE cometchat_support_queue_length gauge\n")
            .Append("cometchat_support_queue_length ").Append(queued).Append('\n');
        void Family(string name, string help, Func<FigureView, double?> value)
        {
            t.Append("# HELP ").Append(name).Append(' ').Append(help).Append("\n# TYPE ").Append(name).Append(" gauge\n");
            foreach (var f in report.Agents.Append(report.Total))
            {
                if (value(f) is not { } v) continue;
                t.Append(name);
                if (f.Agent is { } agent) t.Append("{agent=\"").Append(agent.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)).Append("\"}");
                t.Append(' ').Append(v.ToString(c)).Append('\n');
            }
        }
        Family("cometchat_support_sessions", "Support sessions (per agent: the agent who has or last had it).", f => f.Sessions);
        Family("cometchat_support_first_response_median_seconds", "Median seconds from a session opening to the first agent reply.", f => f.FirstResponseMedianSeconds);
        Family("cometchat_support_close_median_seconds", "Median seconds from a session opening to its close.", f => f.CloseMedianSeconds);
        Family("cometchat_support_rating_average", "Average customer rating, 1 to 5.", f => f.RatingAverage);
        Family("cometchat_support_ratings", "Customer ratings given.", f => f.Ratings);
    }
}
