using CometChat.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace CometChat.BrowserTests;

/// <summary>Issue 11 holes 3 and 9 as a victim's browser meets them: a crafted link, and a hostile site framing the page.</summary>
public sealed class PageSecurityTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    [Fact]
    public async Task AServerNamedInTheLinkNeverGetsThePasswordNorRunsScriptHere()
    {
        var evil = Site.Url.GetLeftPart(UriPartial.Authority);
        var page = await NewPageAsync();
        await page.GotoAsync(new Uri(Server.Url, $"?server={Uri.EscapeDataString(evil)}&transport=jsonp").ToString());
        await page.FillAsync("#login-name", "victim");
        await page.FillAsync("#login-password", "pw-victim");
        await page.ClickAsync("#login-button");

        // The page signed in with its own origin, over the transport the link asked for...
        var chat = new ChatPage(page, "victim");
        await chat.ShouldBeConnectedAsync("jsonp");
        // ...and the other site was never asked for anything: not the login, not a JSONP script.
        Site.Requests.ShouldNotContain(r => r.Contains("/api/", StringComparison.Ordinal));
        ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task NoOtherSiteCanFrameTheLoginForm()
    {
        var hostile = Site.Page($"""
            <!DOCTYPE html><html><body><h1>Win a prize</h1>
            <iframe id="victim" src="{Server.Url}" width="600" height="400"></iframe></body></html>
            """);
        var page = await NewPageAsync();
        await page.GotoAsync(hostile.ToString());
        var frame = page.FrameLocator("#victim");
        // The browser refuses to render the chat page inside another site (CSP frame-ancestors, X-Frame-Options).
        await page.WaitForLoadStateAsync(Microsoft.Playwright.LoadState.NetworkIdle);
        (await frame.Locator("#login-form").CountAsync()).ShouldBe(0);
        await Expect(page.Locator("h1")).ToHaveTextAsync("Win a prize");
    }
}
