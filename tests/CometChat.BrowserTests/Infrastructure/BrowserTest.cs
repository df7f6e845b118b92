using Microsoft.Playwright;

namespace CometChat.BrowserTests.Infrastructure;

/// <summary>
/// Base of every browser test: a fresh chat server, fresh browser contexts, and a check that no page
/// threw a script error along the way.
/// </summary>
[Collection(BrowserCollection.Name)]
public abstract class BrowserTest(BrowserFixture fixture) : IAsyncLifetime
{
    private readonly List<IBrowserContext> _contexts = [];
    private readonly List<string> _pageErrors = [];

    protected BrowserFixture Fixture { get; } = fixture;
    internal ChatHost Server { get; private set; } = null!;
    internal OtherSite Site => Fixture.Site;

    /// <summary>Settings over the suite's defaults for this class's server.</summary>
    protected virtual Dictionary<string, string?> ServerSettings => [];

    public async Task InitializeAsync() => Server = await ChatHost.StartAsync(ServerSettings);

    public async Task DisposeAsync()
    {
        foreach (var c in _contexts) await c.CloseAsync();
        await Server.DisposeAsync();
    }

    /// <summary>A page in its own context (its own storage, like another person's browser).</summary>
    /// <param name="withoutCsp">A browser that enforces no Content-Security-Policy, as IE6-9 do not.</param>
    protected async Task<IPage> NewPageAsync(string? initScript = null, int width = 1000, int height = 700, bool withoutCsp = false)
    {
        var context = await Fixture.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            BypassCSP = withoutCsp,
        });
        context.SetDefaultTimeout(20_000);
        _contexts.Add(context);
        if (initScript is not null) await context.AddInitScriptAsync(initScript);
        var page = await context.NewPageAsync();
        page.PageError += (_, e) => { lock (_pageErrors) _pageErrors.Add(page.Url + ": " + e); };
        return page;
    }

    protected void ShouldHaveNoScriptErrors()
    {
        lock (_pageErrors) _pageErrors.ShouldBeEmpty();
    }

    protected static async Task ScreenshotAsync(IPage page, string name) =>
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Paths.Screenshots, name + ".png") });
}
