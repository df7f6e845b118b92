using CometChat.BrowserTests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CometChat.BrowserTests;

/// <summary>
/// A page on another origin uses cometchat.js from the chat server: CORS for XHR transports, plain
/// cross-origin WebSocket and EventSource, JSONP with no CORS at all. The forever frame is same-origin only.
/// </summary>
public sealed class CrossOriginTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    private const string Harness = """
        <!DOCTYPE html>
        <html><head><meta charset="utf-8"><title>other origin</title></head><body><h1>Another site</h1>
        <script src="SERVER/cometchat.js?v=1"></script>
        <script>
        var received = [], chat = null;
        function go(name, transport, firstByteMs) {
          CometChat.login("SERVER", name, "pw-" + name, function (err, res) {
            if (err) { document.title = "login failed: " + err.message; return; }
            chat = CometChat.connect({server: "SERVER", token: res.token, since: res.cursor, transport: transport, firstByteMs: firstByteMs,
              onMessage: function (m) { received.push(m); },
              onState: function (s, t) { document.title = s + ":" + t; }});
          });
        }
        </script></body></html>
        """;

    [Theory]
    [InlineData("ws")]
    [InlineData("sse")]
    [InlineData("stream")]
    [InlineData("longpoll")]
    [InlineData("jsonp")]
    public async Task TwoUsersChatFromAnotherOrigin(string transport)
    {
        var url = Site.Page(Harness.Replace("SERVER", Server.Origin, StringComparison.Ordinal));
        new Uri(url.GetLeftPart(UriPartial.Authority)).ShouldNotBe(new Uri(Server.Origin), "the harness must be on another origin");
        var alice = await OpenAsync(url, "alice", transport);
        var bob = await OpenAsync(url, "bob", transport);

        (await SendAsync(alice, "bob", "one")).ShouldStartWith("mid:");
        (await SendAsync(alice, "bob", "two")).ShouldStartWith("mid:");
        (await SendAsync(bob, "alice", "three")).ShouldStartWith("mid:");

        await ShouldReceiveAsync(bob, "one", "two");
        await ShouldReceiveAsync(alice, "three");
        ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task AutoStepsDownWhenAStreamNeverSendsItsFirstByte()
    {
        var url = Site.Page(Harness.Replace("SERVER", Server.Origin, StringComparison.Ordinal));
        // A proxy that buffers streams: /api/stream is accepted but not one byte comes back.
        var alice = await NewPageAsync("delete window.WebSocket; delete window.EventSource;");
        await alice.RouteAsync("**/api/stream**", _ => Task.CompletedTask);
        await alice.GotoAsync(url.ToString());
        await alice.EvaluateAsync("go('alice', 'auto', 1500)");
        await Expect(alice).ToHaveTitleAsync("connected:longpoll");

        var bob = await OpenAsync(url, "bob", "longpoll");
        (await SendAsync(bob, "alice", "through the proxy")).ShouldStartWith("mid:");
        await ShouldReceiveAsync(alice, "through the proxy");
        ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task ForeverFrameIsNotOfferedAcrossOrigins()
    {
        var page = await NewPageAsync();
        await page.GotoAsync(Site.Page(Harness.Replace("SERVER", Server.Origin, StringComparison.Ordinal)).ToString());
        (await page.EvaluateAsync<bool>($"CometChat.transportUsable('iframe', '{Server.Origin}')")).ShouldBeFalse();
        (await page.EvaluateAsync<bool>($"CometChat.transportUsable('jsonp', '{Server.Origin}')")).ShouldBeTrue();
        (await page.EvaluateAsync<bool>($"CometChat.transportUsable('stream', '{Server.Origin}')")).ShouldBeTrue();
    }

    private async Task<IPage> OpenAsync(Uri url, string user, string transport)
    {
        var page = await NewPageAsync();
        await page.GotoAsync(url.ToString());
        await page.EvaluateAsync($"go('{user}', '{transport}')");
        await Expect(page).ToHaveTitleAsync("connected:" + transport);
        return page;
    }

    private static Task<string> SendAsync(IPage page, string to, string body) =>
        page.EvaluateAsync<string>(
            "([to, body]) => new Promise(r => chat.send(to, body, (e, res) => r(e ? 'error:' + e.message : 'mid:' + res.mid)))",
            new[] { to, body });

    /// <summary>Exactly these texts, in order, each once, with strictly increasing mids.</summary>
    private static async Task ShouldReceiveAsync(IPage page, params string[] bodies)
    {
        await page.WaitForFunctionAsync("n => received.filter(m => m.kind === 'text').length >= n", bodies.Length);
        var texts = await page.EvaluateAsync<string[]>("received.filter(m => m.kind === 'text').map(m => m.body)");
        texts.ShouldBe(bodies);
        var mids = await page.EvaluateAsync<long[]>("received.map(m => m.mid)");
        mids.ShouldBe(mids.Order().Distinct().ToArray());
    }
}
