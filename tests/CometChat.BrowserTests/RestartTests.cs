using CometChat.BrowserTests.Infrastructure;

namespace CometChat.BrowserTests;

/// <summary>The server restarts under open pages: they reconnect from their cursor, losing and repeating nothing.</summary>
public sealed class RestartTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    [Theory]
    [InlineData("auto")]
    [InlineData("longpoll")]
    public async Task ReconnectAfterRestartLosesAndRepeatsNothing(string transport)
    {
        var alice = await ChatPage.SignInAsync(await NewPageAsync(), Server.Url, "alice", transport);
        var bob = await ChatPage.SignInAsync(await NewPageAsync(), Server.Url, "bob", transport);
        await alice.OpenAsync("bob");
        await alice.SendAsync("before 1");
        await alice.SendAsync("before 2");
        await bob.OpenWhenListedAsync("alice");
        await bob.ShouldShowAsync("before 1", "before 2");

        await Server.StopAsync();
        await Microsoft.Playwright.Assertions.Expect(bob.Page.Locator("#banner")).ToBeVisibleAsync();
        // Sent while the server is down: the page retries it with the same id until it lands, once.
        await alice.SendAsync("during");
        await Server.StartAgainAsync();

        await alice.ShouldBeConnectedAsync();
        await bob.ShouldBeConnectedAsync();
        // The retried send lands on its own schedule; let it, so the next send is surely later.
        await alice.ShouldShowAsync("before 1", "before 2", "during");
        await alice.SendAsync("after");
        await bob.SendAsync("reply after");

        string[] all = ["before 1", "before 2", "during", "after", "reply after"];
        await bob.ShouldShowAsync(all);
        await alice.ShouldShowAsync(all);
        ShouldHaveNoScriptErrors();
    }
}
