using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;

namespace CometChat.Http;

/// <summary>
/// Serves static/: versioned assets (<c>?v=</c>) cache for a year, unversioned ones (embed.js, which
/// other sites link without a version) for five minutes, HTML is revalidated every time and carries
/// <see cref="HtmlPolicy.Page"/> (no framing, its own origin only, no referrer: tokens travel in URLs).
/// </summary>
internal static class StaticAssets
{
    public static IApplicationBuilder UseChatStaticFiles(this IApplicationBuilder app, string root)
    {
        var files = new PhysicalFileProvider(root);
        var types = new FileExtensionContentTypeProvider();
        types.Mappings[".js"] = "text/javascript; charset=utf-8";
        types.Mappings[".css"] = "text/css; charset=utf-8";
        types.Mappings[".html"] = "text/html; charset=utf-8";
        // API, WebSocket and ops paths never hold files: skip the file-system lookups on every poll and send.
        return app.UseWhen(ctx => !ApiPaths.Contains(ctx.Request.Path), branch => branch
            .UseDefaultFiles(new DefaultFilesOptions { FileProvider = files })
            .UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            ContentTypeProvider = types,
            OnPrepareResponse = ctx =>
            {
                var headers = ctx.Context.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                if (ctx.File.Name.EndsWith(".html", StringComparison.OrdinalIgnoreCase))
                {
                    headers.CacheControl = "no-cache";
                    HtmlPolicy.Page(ctx.Context);
                }
                else if (ctx.Context.Request.Query.ContainsKey("v"))
                    headers.CacheControl = "public, max-age=31536000, immutable";
                else
                    headers.CacheControl = "public, max-age=300";
            },
        }));
    }
}
