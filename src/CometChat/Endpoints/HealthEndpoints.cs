using System.Text.Json.Serialization;
using CometChat.Core;
using CometChat.Http;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CometChat.Endpoints;

/// <summary>
/// /healthz on the framework's health checks: <c>store</c> is healthy only when a real write commits (a read-only
/// or full disk, or an unreachable PostgreSQL, turns it unhealthy: 503); <c>backplane</c> is degraded while Redis
/// is down (still 200: the node serves every request, other nodes' messages only reach it later).
/// Answers <c>{"status":"ok"|"degraded","backplane"?:"up"|"down"}</c>, or the 503 error.
/// </summary>
internal static class HealthEndpoints
{
    public static IServiceCollection AddChatHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<StoreHealthCheck>("store").AddCheck<BackplaneHealthCheck>("backplane");
        return services;
    }

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder open)
    {
        open.MapHealthChecks("/healthz", new HealthCheckOptions
        {
            ResultStatusCodes = { [HealthStatus.Healthy] = 200, [HealthStatus.Degraded] = 200, [HealthStatus.Unhealthy] = 503 },
            ResponseWriter = WriteAsync,
        });
        return open;
    }

    private static Task WriteAsync(HttpContext ctx, HealthReport report)
    {
        if (report.Status == HealthStatus.Unhealthy)
        {
            var problem = report.Entries.Values.FirstOrDefault(e => e.Status == HealthStatus.Unhealthy).Description ?? "Unhealthy.";
            return ChatExceptionHandler.WriteAsync(ctx, ChatErrors.From(ChatError.Unavailable(problem)));
        }
        var backplane = report.Entries.TryGetValue("backplane", out var b) ? b.Data.GetValueOrDefault("state") as string : null;
        var answer = new HealthAnswer(report.Status == HealthStatus.Degraded ? "degraded" : "ok", backplane);
        return ChatResponse.WriteAsync(ctx, w => System.Text.Json.JsonSerializer.Serialize(w, answer, ChatJsonContext.Default.HealthAnswer));
    }
}

/// <summary><c>status</c>: <c>ok</c> or <c>degraded</c>; <c>backplane</c>: <c>up</c> or <c>down</c> when there is one.</summary>
internal sealed record HealthAnswer(string Status, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Backplane);

/// <summary>Healthy when a write commits within 5 seconds.</summary>
internal sealed class StoreHealthCheck(MessageWriter writer, TimeProvider time) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct)
    {
        try
        {
            await writer.RunAsync(tx =>
            {
                tx.Users.SetSetting("health.checkedAt", time.GetUtcNow().ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
                return true;
            }).WaitAsync(TimeSpan.FromSeconds(5), time, ct);
            return HealthCheckResult.Healthy();
        }
        catch (TimeoutException)
        {
            return HealthCheckResult.Unhealthy("The store did not commit within 5 seconds.");
        }
        catch (Exception e) when (e is ChatException or StoreUnavailableException)
        {
            return HealthCheckResult.Unhealthy(e.Message);
        }
    }
}

/// <summary>Degraded while the Redis backplane is down; no data when there is no backplane.</summary>
internal sealed class BackplaneHealthCheck(IWakeUpBus bus) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct) => Task.FromResult(bus.State switch
    {
        BusState.Local => HealthCheckResult.Healthy(),
        BusState.Up => HealthCheckResult.Healthy(data: new Dictionary<string, object> { ["state"] = "up" }),
        _ => HealthCheckResult.Degraded("The Redis backplane is down.", data: new Dictionary<string, object> { ["state"] = "down" }),
    });
}
