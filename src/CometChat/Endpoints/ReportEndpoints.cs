using CometChat.Core;
using CometChat.Http;

namespace CometChat.Endpoints;

/// <summary>GET /api/support/report?from=&amp;to= (epoch ms): per agent and in total (API.md §7).</summary>
internal static class ReportEndpoints
{
    public static IEndpointRouteBuilder MapReport(this IEndpointRouteBuilder api)
    {
        api.MapGet("/api/support/report", Report);
        return api;
    }

    private static async Task<RawJson<ReportView>> Report(ChatUser user, ChatParameters p, DeskReport report) =>
        ChatResponse.Desk(await report.ReportAsync(user, QueryLimits.OptionalLong(p, "from"), QueryLimits.OptionalLong(p, "to"), p.Aborted),
            DeskJson.Default.ReportView);
}
