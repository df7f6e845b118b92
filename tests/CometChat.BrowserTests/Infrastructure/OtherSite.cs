using System.Collections.Concurrent;

namespace CometChat.BrowserTests.Infrastructure;

/// <summary>
/// A second origin (another Kestrel on 127.0.0.1:0) serving pages the tests write: a shop that pastes
/// the embed snippet, or a bare page that uses cometchat.js from the chat server across origins.
/// </summary>
internal sealed class OtherSite : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, string> _pages = new(StringComparer.Ordinal);
    private WebApplication _app = null!;

    public Uri Url { get; private set; } = null!;

    /// <summary>Every path and query this site was asked for, so a test can tell that a page never called it.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public static async Task<OtherSite> StartAsync()
    {
        var site = new OtherSite();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        site._app = builder.Build();
        site._app.Use((ctx, next) =>
        {
            site.Requests.Enqueue(ctx.Request.Path + ctx.Request.QueryString);
            return next(ctx);
        });
        site._app.MapGet("/{name}", (string name) =>
            site._pages.TryGetValue(name, out var html) ? Results.Content(html, "text/html; charset=utf-8") : Results.NotFound());
        // A script URL that never answers in time: for the JSONP timeout.
        site._app.MapGet("/hang.js", async (HttpContext ctx) =>
        {
            try { await Task.Delay(TimeSpan.FromSeconds(30), ctx.RequestAborted); }
            catch (OperationCanceledException) { }
            return Results.Content("", "text/javascript");
        });
        await site._app.StartAsync();
        var address = site._app.Urls.First();
        site.Url = new Uri(address.EndsWith('/') ? address : address + "/");
        return site;
    }

    /// <summary>Publishes a page at a fresh name and answers its URL.</summary>
    public Uri Page(string html)
    {
        var name = "p" + Guid.NewGuid().ToString("n") + ".html";
        _pages[name] = html;
        return new Uri(Url, name);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
