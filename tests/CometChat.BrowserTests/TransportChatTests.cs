using CometChat.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace CometChat.BrowserTests;

/// <summary>Two people chat on index.html with each transport forced, both ways, with receipts.</summary>
public sealed class TransportChatTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    [Theory]
    [InlineData("ws")]
    [InlineData("sse")]
    [InlineData("stream")]
    [InlineData("iframe")]
    [InlineData("longpoll")]
    [InlineData("jsonp")]
    public async Task TwoUsersChatOverForcedTransport(string transport)
    {
        var alice = await ChatPage.SignInAsync(await NewPageAsync(), Server.Url, "alice", transport);
        var bob = await ChatPage.SignInAsync(await NewPageAsync(), Server.Url, "bob", transport);
        await alice.ShouldBeConnectedAsync(transport);
        await bob.ShouldBeConnectedAsync(transport);

        await alice.OpenAsync("bob");
        await alice.SendAsync($"hello bob over {transport}");
        await alice.ShouldShowAsync($"hello bob over {transport}");

        await bob.OpenWhenListedAsync("alice");
        await bob.ShouldShowAsync($"hello bob over {transport}");
        await bob.SendAsync("hi alice");
        await bob.SendAsync("second line <b>not bold</b>");

        await alice.ShouldShowAsync($"hello bob over {transport}", "hi alice", "second line <b>not bold</b>");
        await bob.ShouldShowAsync($"hello bob over {transport}", "hi alice", "second line <b>not bold</b>");
        // Bob had the conversation open: his page acknowledged the message as read.
        await Expect(alice.MarkOf($"hello bob over {transport}")).ToHaveAttributeAsync("title", "read");
        await Expect(alice.Page.Locator("#messages b")).ToHaveCountAsync(0);

        if (transport == "longpoll") await ScreenshotAsync(alice.Page, "chat-page");
        ShouldHaveNoScriptErrors();
    }
}
