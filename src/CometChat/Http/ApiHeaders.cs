namespace CometChat.Http;

/// <summary>Headers every API answer carries, and the CORS policy of Chat:Cors:Origins.</summary>
internal static class ApiHeaders
{
    public static IServiceCollection AddChatCors(this IServiceCollection services) =>
        services.AddCors().AddOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>()
            .Configure<Microsoft.Extensions.Options.IOptions<ChatOptions>>((cors, chat) => cors.AddDefaultPolicy(policy =>
            {
                // Safe with '*': auth never rides on cookies, so a foreign origin gains nothing it lacks a token for.
                var origins = chat.Value.Cors.Origins;
                if (origins.Contains("*")) policy.AllowAnyOrigin();
                else policy.WithOrigins(origins);
                policy.AllowAnyHeader().WithMethods("GET", "POST", "DELETE").WithExposedHeaders("Retry-After");
            })).Services;

    /// <summary>
    /// <c>Cache-Control: no-store</c> on every API answer, set as the answer starts: whatever path wrote it (an
    /// error handler that cleared the response first, a refused callback), no path can drop it. CORS does the same
    /// (its middleware applies its headers when the answer starts), so it runs before this.
    /// </summary>
    public static IApplicationBuilder UseApiHeaders(this IApplicationBuilder app) => app.Use((ctx, next) =>
    {
        if (ApiPaths.Contains(ctx.Request.Path))
            ctx.Response.OnStarting(static state =>
            {
                ((HttpResponse)state).Headers.CacheControl = "no-store";
                return Task.CompletedTask;
            }, ctx.Response);
        return next(ctx);
    });
}
