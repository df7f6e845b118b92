using CometChat.BrowserTests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CometChat.BrowserTests;

/// <summary>embed.js pasted on a shop on another origin reaches a support agent by JSONP and gets the reply.</summary>
public sealed class WidgetTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    private string ShopPage(string attributes) => $"""
        <!DOCTYPE html>
        <html><head><meta charset="utf-8"><title>Shop</title></head>
        <body style="font-family: Georgia, serif; margin: 40px"><h1>Tea &amp; Kettles</h1><p>Fine teas since 1892.</p>
        <script src="{Server.Origin}/embed.js" data-server="{Server.Origin}" {attributes}></script>
        </body></html>
        """;

    [Fact]
    public async Task CustomerSignsInReachesAgentAndGetsReply()
    {
        var agent = await ChatPage.SignInAsync(await NewPageAsync(), Server.Url, ChatHost.Agent);
        var shop = await NewPageAsync();
        var scripts = new List<string>();
        shop.Request += (_, r) => { if (r.ResourceType is "xhr" or "fetch" or "eventsource" or "websocket") scripts.Add(r.Url); };
        await shop.GotoAsync(Site.Page(ShopPage("")).ToString());

        await shop.ClickAsync("#cometchat-w-button");
        await shop.FillAsync("#cometchat-w-name", "carol");
        await shop.FillAsync("#cometchat-w-password", "pw-carol");
        await shop.ClickAsync("#cometchat-w-login-button");
        await Expect(shop.Locator("#cometchat-w-panel")).ToHaveAttributeAsync("data-state", "connected");
        await AskAsync(shop, "Where is my order?");

        await agent.OpenWhenListedAsync("carol");
        await agent.ShouldShowAsync("Where is my order?");
        await agent.SendAsync("It ships today.");

        await Expect(shop.Locator("#cometchat-w-log .cometchat-w-msg[data-mid] span"))
            .ToHaveTextAsync(["Where is my order?", "It ships today."]);
        scripts.ShouldBeEmpty("the widget talks by JSONP only");
        await ScreenshotAsync(shop, "widget");
        await ScreenshotAsync(agent.Page, "agent-page");
        ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task TokenMintedByTheShopSkipsTheSignIn()
    {
        var agent = await ChatPage.SignInAsync(await NewPageAsync(), Server.Url, ChatHost.Agent);
        var token = ChatHost.MintToken("customer_1042", TimeSpan.FromHours(1));
        var shop = await NewPageAsync();
        await shop.GotoAsync(Site.Page(ShopPage($"data-token=\"{token}\" data-title=\"Ask us\"")).ToString());

        await Expect(shop.Locator("#cometchat-w-button")).ToHaveTextAsync("Ask us");
        await shop.ClickAsync("#cometchat-w-button");
        await Expect(shop.Locator("#cometchat-w-login")).ToBeHiddenAsync();
        await Expect(shop.Locator("#cometchat-w-panel")).ToHaveAttributeAsync("data-state", "connected");
        await AskAsync(shop, "Do you ship abroad?");

        await agent.OpenWhenListedAsync("customer_1042");
        await agent.SendAsync("Yes, everywhere.");
        await Expect(shop.Locator("#cometchat-w-log .cometchat-w-msg[data-mid] span"))
            .ToHaveTextAsync(["Do you ship abroad?", "Yes, everywhere."]);
        ShouldHaveNoScriptErrors();
    }

    private static async Task AskAsync(IPage shop, string text)
    {
        await shop.FillAsync("#cometchat-w-input", text);
        await shop.PressAsync("#cometchat-w-input", "Enter");
        await Expect(shop.Locator("#cometchat-w-log .cometchat-w-msg[data-mid] span", new() { HasText = text })).ToHaveCountAsync(1);
    }
}
