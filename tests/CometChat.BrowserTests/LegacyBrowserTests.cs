using CometChat.BrowserTests.Infrastructure;

namespace CometChat.BrowserTests;

/// <summary>A browser without WebSocket, EventSource, fetch and JSON (IE7-like) still chats on auto.</summary>
public sealed class LegacyBrowserTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    private const string StripModernApis = """
        delete window.WebSocket; delete window.EventSource; delete window.fetch; delete window.JSON;
        """;

    [Fact]
    public async Task ChatsOnAutoWithoutModernApis()
    {
        // Browsers without JSON (IE7) know no Content-Security-Policy either, so cometchat.js's eval fallback runs there.
        var oldPage = await NewPageAsync(StripModernApis, width: 375, height: 667, withoutCsp: true);
        var alice = await ChatPage.SignInAsync(oldPage, Server.Url, "alice");
        (await oldPage.EvaluateAsync<string>("[typeof WebSocket, typeof EventSource, typeof fetch, typeof JSON].join()"))
            .ShouldBe("undefined,undefined,undefined,undefined");
        // The best left is XHR streaming.
        await alice.ShouldBeConnectedAsync("stream");

        var bob = await ChatPage.SignInAsync(await NewPageAsync(), Server.Url, "bob");
        await bob.OpenAsync("alice");
        await bob.SendAsync("can you read this without JSON?");
        await alice.OpenWhenListedAsync("bob");
        await alice.ShouldShowAsync("can you read this without JSON?");
        await alice.SendAsync("yes, \"quoted\" and \u00e9t\u00e9 \u2028 fine");
        await bob.ShouldShowAsync("can you read this without JSON?", "yes, \"quoted\" and \u00e9t\u00e9 \u2028 fine");
        await alice.ShouldShowAsync("can you read this without JSON?", "yes, \"quoted\" and \u00e9t\u00e9 \u2028 fine");

        await ScreenshotAsync(oldPage, "chat-page-phone");
        ShouldHaveNoScriptErrors();
    }
}
