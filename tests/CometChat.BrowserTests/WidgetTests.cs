using CometChat.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace CometChat.BrowserTests;

/// <summary>embed.js pasted on a shop on another origin reaches a support agent by JSONP and gets the reply.</summary>
public sealed class WidgetTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    [Fact]
    public async Task AGuestReachesTheAgentAndGetsTheReply()
    {
        var agent = await ChatPage.SignInAsync(await NewPageAsync(), Server.Url, ChatHost.Agent);
        var shop = await NewPageAsync();
        var scripts = new List<string>();
        shop.Request += (_, r) => { if (r.ResourceType is "xhr" or "fetch" or "eventsource" or "websocket") scripts.Add(r.Url); };
        await shop.GotoAsync(Site.Page(Shop.Page(Server, "")).ToString());

        // No name, no password: the widget gets a guest identity when the panel opens, and keeps it.
        await shop.ClickAsync("#cometchat-w-button");
        await Expect(shop.Locator("#cometchat-w-panel")).ToHaveAttributeAsync("data-state", "connected");
        await Expect(shop.Locator("#cometchat-w-panel")).ToHaveAttributeAsync("data-desk", "online");
        await Shop.AskAsync(shop, "Where is my order?");
        var guest = await shop.EvaluateAsync<string>("localStorage.getItem(Object.keys(localStorage)[0]).split(' ')[0]");

        await agent.OpenWhenListedAsync(guest);
        await agent.ShouldShowAsync("Where is my order?");
        await agent.SendAsync("It ships today.");

        await Expect(Shop.Thread(shop))
            .ToHaveTextAsync(["Where is my order?", "It ships today."]);
        scripts.ShouldBeEmpty("the widget talks by JSONP only");
        await ScreenshotAsync(shop, "widget");
        await ScreenshotAsync(agent.Page, "agent-page");

        // The same visitor comes back on another page of the shop: the same guest, the same conversation.
        // The panel was open, so it is open on this page too (a click on the button would close it).
        await shop.GotoAsync(Site.Page(Shop.Page(Server, "")).ToString());
        await Expect(shop.Locator("#cometchat-w-panel")).ToBeVisibleAsync();
        await Shop.AskAsync(shop, "Me again.");
        await agent.ShouldShowAsync("Where is my order?", "It ships today.", "Me again.");
        ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task AnAgentSigningInSeesTheQuestionThatWaitedInTheQueue()
    {
        // Issue 13 item 12: the customer writes while no agent is online; the agent signs in later on the
        // chat page, the session is assigned, and the page shows the question at once, not an empty thread.
        var token = ChatHost.MintToken("customer_77", TimeSpan.FromHours(1));
        var shop = await NewPageAsync();
        await shop.GotoAsync(Site.Page(Shop.Page(Server, $"data-token=\"{token}\"")).ToString());
        await shop.ClickAsync("#cometchat-w-button");
        await Expect(shop.Locator("#cometchat-w-panel")).ToHaveAttributeAsync("data-desk", "offline");
        await Shop.AskAsync(shop, "Is anyone there?");
        await Shop.AskAsync(shop, "My parcel is late.");
        await Expect(shop.Locator("#cometchat-w-log")).ToContainTextAsync("offline: no agent is online");

        var agent = await ChatPage.SignInAsync(await NewPageAsync(), Server.Url, ChatHost.Agent);
        await agent.OpenWhenListedAsync("customer_77");
        await agent.ShouldShowAsync("Is anyone there?", "My parcel is late.");
        await agent.SendAsync("Sorry, looking now.");
        await Expect(Shop.Thread(shop))
            .ToHaveTextAsync(["Is anyone there?", "My parcel is late.", "Sorry, looking now."]);
        ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task TokenMintedByTheShopSkipsTheSignIn()
    {
        var agent = await ChatPage.SignInAsync(await NewPageAsync(), Server.Url, ChatHost.Agent);
        var token = ChatHost.MintToken("customer_1042", TimeSpan.FromHours(1));
        var shop = await NewPageAsync();
        await shop.GotoAsync(Site.Page(Shop.Page(Server, $"data-token=\"{token}\" data-title=\"Ask us\"")).ToString());

        await Expect(shop.Locator("#cometchat-w-button")).ToHaveTextAsync("Ask us");
        await shop.ClickAsync("#cometchat-w-button");
        await Expect(shop.Locator("#cometchat-w-login")).ToBeHiddenAsync();
        await Expect(shop.Locator("#cometchat-w-panel")).ToHaveAttributeAsync("data-state", "connected");
        await Shop.AskAsync(shop, "Do you ship abroad?");

        await agent.OpenWhenListedAsync("customer_1042");
        await agent.SendAsync("Yes, everywhere.");
        await Expect(Shop.Thread(shop))
            .ToHaveTextAsync(["Do you ship abroad?", "Yes, everywhere."]);
        ShouldHaveNoScriptErrors();
    }
}
