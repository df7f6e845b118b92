using CometChat.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace CometChat.BrowserTests;

/// <summary>index.html's typing indicator, presence dots, rooms and history on scroll-up.</summary>
public sealed class PageFeatureTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    [Fact]
    public async Task TypingShowsInTheOtherPage()
    {
        var alice = await ChatPage.SignInAsync(await NewPageAsync(), Server.Url, "alice");
        var bob = await ChatPage.SignInAsync(await NewPageAsync(), Server.Url, "bob");
        await alice.OpenAsync("bob");
        await bob.OpenAsync("alice");
        // Typing events reach only connections open at that moment; keep typing until one lands.
        for (var i = 0; i < 40 && !await alice.Page.Locator("#typing", new() { HasText = "bob is typing" }).IsVisibleAsync(); i++)
        {
            await bob.Page.EvaluateAsync("CometChatPage.chat().typing('alice')");
            await alice.Page.WaitForTimeoutAsync(250);
        }
        await Expect(alice.Page.Locator("#typing")).ToHaveTextAsync("bob is typing\u2026");
        await bob.SendAsync("done typing");
        await alice.ShouldShowAsync("done typing");
        await Expect(alice.Page.Locator("#typing")).ToHaveTextAsync("");
        ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task RoomsPresenceAndHistoryOnScrollUp()
    {
        var alice = await ChatPage.SignInAsync(await NewPageAsync(), Server.Url, "alice");
        await alice.Page.FillAsync("#room-name", "lobby");
        await alice.Page.ClickAsync("#room-button");
        await Expect(alice.Page.Locator("#conv-title")).ToHaveTextAsync("#lobby");
        await alice.SendAsync("hello room");

        await Expect(alice.Page.Locator("#rooms-mine li[data-room='lobby'] .members")).ToHaveTextAsync("1 member");

        // Rooms one is in stand apart; another room is joined by its button, not by a click on its name.
        var bob = await ChatPage.SignInAsync(await NewPageAsync(), Server.Url, "bob");
        await Expect(bob.Page.Locator("#rooms li[data-room='lobby']")).ToHaveCountAsync(1);
        await Expect(bob.Page.Locator("#rooms-mine li")).ToHaveCountAsync(0);
        await bob.Page.Locator("#rooms li[data-room='lobby'] button.join").ClickAsync();
        await Expect(bob.Page.Locator("#conv-title")).ToHaveTextAsync("#lobby");
        await Expect(bob.Page.Locator("#rooms-mine li[data-room='lobby']")).ToHaveCountAsync(1);
        await Expect(alice.Page.Locator("#rooms-mine li[data-room='lobby'] .members")).ToHaveTextAsync("2 members"); // live, from bob's join
        await alice.SendAsync("welcome bob");
        await Expect(bob.Bodies.Last).ToHaveTextAsync("welcome bob");
        await Expect(alice.Page.Locator("#messages .msg.note", new() { HasText = "bob joined" })).ToHaveCountAsync(1);
        await ScreenshotAsync(bob.Page, "rooms-joined-apart");

        // Leaving by its button: the room moves back to the others, and alice's count follows at once.
        await bob.Page.Locator("#rooms-mine li[data-room='lobby'] button.leave").ClickAsync();
        await Expect(bob.Page.Locator("#rooms li[data-room='lobby']")).ToHaveCountAsync(1);
        await Expect(bob.Page.Locator("#rooms-mine li")).ToHaveCountAsync(0);
        await Expect(alice.Page.Locator("#rooms-mine li[data-room='lobby'] .members")).ToHaveTextAsync("1 member");
        await bob.Page.Locator("#rooms li[data-room='lobby'] button.join").ClickAsync();
        await Expect(alice.Page.Locator("#rooms-mine li[data-room='lobby'] .members")).ToHaveTextAsync("2 members");

        await alice.OpenAsync("bob");
        await Expect(alice.Page.Locator("#conv-dot")).ToHaveClassAsync("dot on");

        // 45 direct messages, then a fresh page: the newest arrive with the conversation, the rest on scroll-up.
        await alice.Page.EvaluateAsync(
            "async () => { for (let i = 1; i <= 45; i++) await new Promise(r => CometChatPage.chat().send('bob', 'm' + i, r)); }");
        var later = await ChatPage.SignInAsync(await NewPageAsync(), Server.Url, "bob");
        await later.OpenAsync("alice");
        await Expect(later.Bodies.Last).ToHaveTextAsync("m45");
        for (var i = 0; i < 20 && await later.Bodies.CountAsync() < 45; i++)
        {
            await later.Page.EvalOnSelectorAsync("#messages", "e => { e.scrollTop = 0; e.dispatchEvent(new Event('scroll')); }");
            await later.Page.WaitForTimeoutAsync(200);
        }
        await Expect(later.Bodies).ToHaveTextAsync(Enumerable.Range(1, 45).Select(i => "m" + i).ToArray());
        ShouldHaveNoScriptErrors();
    }
}
