using CometChat.Core;
using CometChat.Http;

namespace CometChat.Endpoints;

/// <summary>GET /api/support/report?from=&amp;to= (epoch ms): per agent and in total (API.md §7).</summary>
internal static class ReportEndpoints
{
    public static IEndpointRouteBuilder MapReport(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/support/report", Report);
        return app;
    }

    private static async Task<IResult> Report(ChatRequest req, DeskReport report)
    {
        var user = await req.UserAsync();
        var view = await report.ReportAsync(user, QueryLimits.OptionalLong(req, "from"), QueryLimits.OptionalLong(req, "to"), req.Aborted);
        return ChatResponse.Ok(req, view, DeskJson.Default.ReportView);
    }
}
