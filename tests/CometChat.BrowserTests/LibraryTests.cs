using CometChat.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace CometChat.BrowserTests;

/// <summary>cometchat.js details a chat cannot show: JSONP timeouts and what it leaves in the DOM.</summary>
public sealed class LibraryTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    [Fact]
    public async Task JsonpThatNeverCallsBackTimesOutAndLeavesNothingBehind()
    {
        // On another site's page: the chat page's own policy would refuse a script from elsewhere before any timeout.
        var page = await NewPageAsync();
        await page.GotoAsync(Site.Page("<!DOCTYPE html><title>blank</title><p>another site</p>").ToString());
        await page.EvaluateAsync("server => new Promise(r => { const s = document.createElement('script'); s.src = server + '/cometchat.js?v=1'; s.onload = r; document.head.appendChild(s); })", Server.Origin);
        var hang = new Uri(Site.Url, "hang.js").ToString();
        var code = await page.EvaluateAsync<string>(
            "url => new Promise(r => CometChat.jsonp(url, {}, 500, (err, res) => r(err ? err.code : 'answered')))", hang);
        code.ShouldBe("timeout");
        (await page.EvaluateAsync<int>("document.querySelectorAll('script[src*=\"hang.js\"]').length")).ShouldBe(0);

        var missing = new Uri(Server.Url, "no-such-script.js").ToString();
        (await page.EvaluateAsync<string>(
            "url => new Promise(r => CometChat.jsonp(url, {}, 5000, (err, res) => r(err ? err.code : 'answered')))", missing)).ShouldBe("network");
        ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task JsonpErrorsArriveInBand()
    {
        var page = await NewPageAsync();
        await page.GotoAsync(Site.Page("<!DOCTYPE html><title>blank</title><p>another site</p>").ToString());
        var result = await page.EvaluateAsync<string>(
            """
            async server => {
              await new Promise(r => { const s = document.createElement('script'); s.src = server + '/cometchat.js?v=1'; s.onload = r; document.head.appendChild(s); });
              return await new Promise(r => CometChat.login(server, 'eve', 'x', (err, res) => r('first:' + (err ? err.code : res.user)), {jsonp: true}))
                + ' ' + await new Promise(r => CometChat.login(server, 'eve', 'wrong', (err, res) => r('second:' + (err ? err.status + '/' + err.code : res.user)), {jsonp: true}));
            }
            """, Server.Origin);
        result.ShouldBe("first:eve second:401/unauthorized");
        (await page.EvaluateAsync<int>("document.getElementsByTagName('script').length")).ShouldBe(1, "only the library's own tag is left");
        ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task ClosingStopsPollingAndRemovesItsTags()
    {
        var alice = await ChatPage.SignInAsync(await NewPageAsync(), Server.Url, "alice", "jsonp");
        await alice.ShouldBeConnectedAsync("jsonp");
        // A parked JSONP poll is one script tag; close() aborts and removes it.
        await Expect(alice.Page.Locator("script[src*='/api/poll']")).ToHaveCountAsync(1);
        await alice.Page.EvaluateAsync("CometChatPage.chat().close()");
        await Expect(alice.Page.Locator("script[src*='/api/poll']")).ToHaveCountAsync(0);
        await Expect(alice.Page.Locator("#app")).ToHaveAttributeAsync("data-state", "closed");
        ShouldHaveNoScriptErrors();
    }
}
