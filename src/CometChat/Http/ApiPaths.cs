namespace CometChat.Http;

/// <summary>The paths the API answers (everything else is a static file): no-store, CORS, JSONP and errors apply here.</summary>
internal static class ApiPaths
{
    public static bool Contains(PathString path) =>
        path.StartsWithSegments("/api") || path.StartsWithSegments("/ws") || path.StartsWithSegments("/healthz")
        || path.StartsWithSegments("/metrics") || path.StartsWithSegments("/openapi");
}
