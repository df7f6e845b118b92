using CometChat.BrowserTests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CometChat.BrowserTests;

/// <summary>
/// API.md §8 on the chat page and the widget, in Chromium: unread badges that follow reads in another tab, recall and
/// edit from a message's menu, images by file input (also through the hidden frame, without FormData), search.
/// </summary>
public sealed class ImPageTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    private static readonly byte[] Png = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==");

    private static ILocator Badge(ChatPage page, string conversation) => page.Page.Locator($"#convs li[data-conv='{conversation}'] .count");

    [Fact]
    public async Task UnreadBadgesRecallsAndEditsAreLive()
    {
        var alice = await ChatPage.SignInAsync(await NewPageAsync(), Server.Url, "alice");
        var bob = await ChatPage.SignInAsync(await NewPageAsync(), Server.Url, "bob", "ws");
        var bobsPhone = await ChatPage.SignInAsync(await NewPageAsync(width: 375, height: 667), Server.Url, "bob", "jsonp");
        await alice.OpenAsync("bob");
        await alice.SendAsync("first");
        await alice.SendAsync("second");
        await alice.ShouldShowAsync("first", "second");

        // Both of bob's tabs count two unread; reading on one clears the badge on the other.
        await Expect(Badge(bob, "alice")).ToHaveTextAsync("2");
        await Expect(Badge(bobsPhone, "alice")).ToHaveTextAsync("2");
        await ScreenshotAsync(bobsPhone.Page, "im-unread-badges-phone");
        await bob.OpenWhenListedAsync("alice");
        await Expect(Badge(bob, "alice")).ToBeHiddenAsync();
        await Expect(Badge(bobsPhone, "alice")).ToBeHiddenAsync();

        // A reload counts from the store: still nothing unread; a new message makes one.
        await alice.SendAsync("third");
        await Expect(Badge(bobsPhone, "alice")).ToHaveTextAsync("1");

        // Alice recalls "second" from its menu (the window shows), and edits "first".
        var second = alice.Page.Locator("#messages .msg.mine", new() { HasText = "second" });
        await second.Locator(".menu-button").ClickAsync();
        await Expect(second.Locator(".menu .recall")).ToContainTextAsync("left)");
        await second.Locator(".menu .recall").ClickAsync();
        await Expect(bob.Page.Locator("#messages .msg .recalled")).ToHaveTextAsync("This message was recalled");
        await Expect(alice.Page.Locator("#messages .msg .recalled")).ToHaveTextAsync("You recalled this message");

        alice.Page.Dialog += async (_, dialog) => await dialog.AcceptAsync("first, corrected");
        var first = alice.Page.Locator("#messages .msg.mine", new() { HasText = "first" });
        await first.Locator(".menu-button").ClickAsync();
        await first.Locator(".menu .edit").ClickAsync();
        await Expect(bob.Page.Locator("#messages .msg", new() { HasText = "first, corrected" }).Locator(".edited")).ToHaveTextAsync("(edited)");
        await ScreenshotAsync(bob.Page, "im-recall-and-edit");
        ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task AnImageIsSentAndShownAndSearchFindsChinese()
    {
        var alice = await ChatPage.SignInAsync(await NewPageAsync(), Server.Url, "alice");
        var bob = await ChatPage.SignInAsync(await NewPageAsync(), Server.Url, "bob");
        await alice.OpenAsync("bob");
        await alice.SendAsync("我想退货");
        await alice.ShouldShowAsync("我想退货");
        await alice.Page.SetInputFilesAsync("#file-input", new FilePayload { Name = "dot.png", MimeType = "image/png", Buffer = Png });
        await Expect(alice.Page.Locator("#messages .msg.mine img.image")).ToHaveCountAsync(1);

        await bob.OpenWhenListedAsync("alice");
        var image = bob.Page.Locator("#messages .msg img.image");
        await Expect(image).ToHaveCountAsync(1);
        await bob.Page.WaitForFunctionAsync("() => { const i = document.querySelector('#messages .msg img.image'); return i && i.complete && i.naturalWidth > 0; }"); // it loaded, inline

        await bob.Page.FillAsync("#search-q", "退货");
        await bob.Page.ClickAsync("#search-button");
        await Expect(bob.Page.Locator("#search-results li")).ToHaveTextAsync(["alice: 我想退货"]);
        await ScreenshotAsync(bob.Page, "im-image-and-search");
        ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task WithoutFormDataTheImageGoesThroughTheHiddenFrame()
    {
        var old = await NewPageAsync("delete window.FormData;");
        var alice = await ChatPage.SignInAsync(old, Server.Url, "alice");
        var bob = await ChatPage.SignInAsync(await NewPageAsync(), Server.Url, "bob");
        (await old.EvaluateAsync<string>("typeof FormData")).ShouldBe("undefined");
        var posts = new List<string>();
        old.Request += (_, r) => { if (r.Method == "POST" && r.Url.Contains("/api/files")) posts.Add(r.ResourceType + " " + r.Url); };
        await alice.OpenAsync("bob");
        await old.SetInputFilesAsync("#file-input", new FilePayload { Name = "dot.png", MimeType = "image/png", Buffer = Png });
        await Expect(old.Locator("#messages .msg.mine img.image")).ToHaveCountAsync(1);
        posts.ShouldHaveSingleItem().ShouldStartWith("document "); // a form posted into a frame, not XHR
        posts[0].ShouldContain("callback=CometChat._cb.u");
        await bob.OpenWhenListedAsync("alice");
        await Expect(bob.Page.Locator("#messages .msg img.image")).ToHaveCountAsync(1);
        ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task TheWidgetShowsImagesAndRecalledMessages()
    {
        var agent = await ChatPage.SignInAsync(await NewPageAsync(), Server.Url, ChatHost.Agent);
        var token = ChatHost.MintToken("customer_9", TimeSpan.FromHours(1));
        var shop = await NewPageAsync();
        await shop.GotoAsync(Site.Page($"""
            <!DOCTYPE html><html><head><meta charset="utf-8"><title>Shop</title></head><body><h1>Shop</h1>
            <script src="{Server.Origin}/embed.js" data-server="{Server.Origin}" data-token="{token}"></script></body></html>
            """).ToString());
        await shop.ClickAsync("#cometchat-w-button");
        await shop.FillAsync("#cometchat-w-input", "a photo of the damage, please?");
        await shop.PressAsync("#cometchat-w-input", "Enter");

        await agent.OpenWhenListedAsync("customer_9");
        await agent.SendAsync("this one is wrong");
        await agent.Page.SetInputFilesAsync("#file-input", new FilePayload { Name = "label.png", MimeType = "image/png", Buffer = Png });
        var log = shop.Locator("#cometchat-w-log");
        await Expect(log.Locator("img")).ToHaveCountAsync(1);
        await shop.WaitForFunctionAsync("() => { const i = document.querySelector('#cometchat-w-log img'); return i && i.complete && i.naturalWidth > 0; }");
        await Expect(log.Locator(".cometchat-w-msg", new() { HasText = "this one is wrong" })).ToHaveCountAsync(1);

        var wrong = agent.Page.Locator("#messages .msg.mine", new() { HasText = "this one is wrong" });
        await wrong.Locator(".menu-button").ClickAsync();
        await wrong.Locator(".menu .recall").ClickAsync();
        await Expect(log.Locator(".cometchat-w-recalled")).ToHaveTextAsync("This message was recalled");
        await Expect(log).Not.ToContainTextAsync("this one is wrong");
        await ScreenshotAsync(shop, "im-widget-image-and-recall");
        ShouldHaveNoScriptErrors();
    }
}
