namespace CometChat.Http;

/// <summary>Headers every API answer carries, and the CORS policy of Chat:Cors:Origins.</summary>
internal static class ApiHeaders
{
    public static IServiceCollection AddChatCors(this IServiceCollection services, ChatOptions options) =>
        services.AddCors(cors => cors.AddDefaultPolicy(policy =>
        {
            // Safe with '*': auth never rides on cookies, so a foreign origin gains nothing it lacks a token for.
            if (options.Cors.Origins.Contains("*")) policy.AllowAnyOrigin();
            else policy.WithOrigins(options.Cors.Origins);
            policy.AllowAnyHeader().WithMethods("GET", "POST").WithExposedHeaders("Retry-After");
        }));

    public static IApplicationBuilder UseApiHeaders(this IApplicationBuilder app) => app.Use((ctx, next) =>
    {
        if (ctx.Request.Path.StartsWithSegments("/api") || ctx.Request.Path.StartsWithSegments("/healthz"))
            ctx.Response.Headers.CacheControl = "no-store";
        return next(ctx);
    });
}
