using Microsoft.Playwright;

namespace CometChat.BrowserTests.Infrastructure;

/// <summary>One headless Debian Chromium and one second-origin site for the whole browser suite.</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;
    internal OtherSite Site { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        // Never skip: a CI without the browser must go red, not quietly prove nothing.
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException(
                $"Chromium is missing at {ChromiumPath}: install it with 'apt-get install -y chromium' (.ci/run does). " +
                "The browser tests never download a browser of their own.");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
                "--no-first-run", "--disable-component-update", "--disable-sync",
            ],
            Timeout = 60_000,
        });
        Site = await OtherSite.StartAsync();
        Assertions.SetDefaultExpectTimeout(20_000);
    }

    public async Task DisposeAsync()
    {
        if (Site is not null) await Site.DisposeAsync();
        if (Browser is not null) await Browser.CloseAsync();
        _playwright?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
