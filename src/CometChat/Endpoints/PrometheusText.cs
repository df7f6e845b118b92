using System.Globalization;
using System.Text;
using CometChat.Core;

namespace CometChat.Endpoints;

/// <summary>The <see cref="ChatStats"/> counters and histograms in the Prometheus text format (0.0.4).</summary>
internal static class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Of(ChatStats stats)
    {
        var t = new StringBuilder(2048);
        void Gauge(string name, string help, double value, string type = "gauge")
        {
            t.Append("# HELP ").Append(name).Append(' ').Append(help).Append("\n# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
            t.Append(name).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        void Histo(string name, string help, Histogram h)
        {
            var (cumulative, count, sum) = h.Snapshot();
            t.Append("# HELP ").Append(name).Append(' ').Append(help).Append("\n# TYPE ").Append(name).Append(" histogram\n");
            for (var i = 0; i < h.Bounds.Count; i++)
                t.Append(name).Append("_bucket{le=\"").Append(h.Bounds[i].ToString(CultureInfo.InvariantCulture)).Append("\"} ").Append(cumulative[i]).Append('\n');
            t.Append(name).Append("_bucket{le=\"+Inf\"} ").Append(count).Append('\n');
            t.Append(name).Append("_sum ").Append(sum.ToString(CultureInfo.InvariantCulture)).Append('\n');
            t.Append(name).Append("_count ").Append(count).Append('\n');
        }
        Gauge("cometchat_parked_polls", "Long polls parked now.", stats.ParkedPolls);
        Gauge("cometchat_open_streams", "Streams and SSE connections open now.", stats.OpenStreams);
        Gauge("cometchat_open_sockets", "WebSocket and TCP connections open now.", stats.OpenSockets);
        Gauge("cometchat_messages_stored_total", "Messages stored.", stats.MessagesStored, "counter");
        Gauge("cometchat_deliveries_total", "Messages handed to clients.", stats.Deliveries, "counter");
        Gauge("cometchat_messages_per_second", "Messages stored per second over the last 10 s.", stats.MessagesPerSecond());
        Gauge("cometchat_deliveries_per_second", "Deliveries per second over the last 10 s.", stats.DeliveriesPerSecond());
        t.Append("# HELP cometchat_refusals_total Requests and connections refused by a limit, by kind (README, Security and limits).\n# TYPE cometchat_refusals_total counter\n");
        foreach (var kind in RefusalKinds.All)
            t.Append("cometchat_refusals_total{kind=\"").Append(kind.Label()).Append("\"} ").Append(stats.Refusals(kind)).Append('\n');
        t.Append("# HELP cometchat_logins_total Password logins, by result.\n# TYPE cometchat_logins_total counter\n")
            .Append("cometchat_logins_total{result=\"ok\"} ").Append(stats.Logins(succeeded: true)).Append('\n')
            .Append("cometchat_logins_total{result=\"wrong_password\"} ").Append(stats.Logins(succeeded: false)).Append('\n');
        Histo("cometchat_commit_batch_size", "Messages per group commit.", stats.CommitBatchSizes);
        Histo("cometchat_wake_latency_ms", "Milliseconds from a wake-up to the woken reader having its page.", stats.WakeLatencyMs);
        return t.ToString();
    }

    /// <summary>GET /api/support/report's all-time figures, per agent (label <c>agent</c>) and in total (no label), and the queue's length.</summary>
    public static string Desk(ReportView report, int queued)
    {
        var t = new StringBuilder(1024);
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
                t.Append(' ').Append(v.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }
        Family("cometchat_support_sessions", "Support sessions (per agent: the agent who has or last had it).", f => f.Sessions);
        Family("cometchat_support_first_response_median_seconds", "Median seconds from a session opening to the first agent reply.", f => f.FirstResponseMedianSeconds);
        Family("cometchat_support_close_median_seconds", "Median seconds from a session opening to its close.", f => f.CloseMedianSeconds);
        Family("cometchat_support_rating_average", "Average customer rating, 1 to 5.", f => f.RatingAverage);
        Family("cometchat_support_ratings", "Customer ratings given.", f => f.Ratings);
        return t.ToString();
    }
}
