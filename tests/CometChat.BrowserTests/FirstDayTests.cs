using CometChat.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace CometChat.BrowserTests;

/// <summary>
/// A person's first day (issue 14): nothing lost on reload. The chat page keeps its session and rebuilds its view
/// from the server (the conversation list with unread counts, history with its real receipts); the widget keeps its
/// thread across the shop's pages and says what went wrong in a shopper's words; the agents' console keeps its
/// sessions; an agent's typing shows in the customer's support thread; the page is honest about being offline.
/// Screenshots of each under TestResults/screenshots/first-day-*.
/// </summary>
public sealed class FirstDayTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    [Fact]
    public async Task AReloadKeepsTheSessionTheConversationsTheirUnreadCountsAndHistoryWithRealReceipts()
    {
        var alice = await ChatPage.SignInAsync(await NewPageAsync(), Server.Url, "alice");
        var bobPage = await NewPageAsync();
        var bob = await ChatPage.SignInAsync(bobPage, Server.Url, "bob");
        await bob.Page.GotoAsync("about:blank"); // bob is away

        await alice.OpenAsync("bob");
        await alice.SendAsync("are you there?");
        await alice.SendAsync("lunch at one?");
        await Expect(alice.MarkOf("lunch at one?")).ToHaveTextAsync("\u2713"); // sent, not delivered: bob is away

        // bob comes back: still signed in, alice's conversation listed with its two unread messages.
        await bob.Page.GotoAsync(Server.Url.ToString());
        await bob.ShouldBeConnectedAsync();
        await Expect(bob.Page.Locator("#me-name")).ToHaveTextAsync("bob");
        await Expect(bob.Page.Locator("#login")).ToBeHiddenAsync();
        var entry = bob.Page.Locator("#convs li[data-conv='alice']");
        await Expect(entry.Locator(".count")).ToHaveTextAsync("2");
        await ScreenshotAsync(bob.Page, "first-day-1-reload-unread");

        // Opening it shows the history, and the messages first shown from history are read: alice sees it.
        await entry.ClickAsync();
        await bob.ShouldShowAsync("are you there?", "lunch at one?");
        await Expect(entry.Locator(".count")).ToBeHiddenAsync();
        await Expect(alice.MarkOf("are you there?")).ToHaveClassAsync("mark read");
        await Expect(alice.MarkOf("lunch at one?")).ToHaveClassAsync("mark read");
        await bob.SendAsync("yes, see you");
        await ScreenshotAsync(bob.Page, "first-day-2-history-read");

        // alice reloads: her old messages show the receipts the store has, not a bare ✓.
        await alice.Page.ReloadAsync();
        await alice.ShouldBeConnectedAsync();
        await Expect(alice.Page.Locator("#conv-title")).ToHaveTextAsync("bob"); // the conversation she had open
        await alice.ShouldShowAsync("are you there?", "lunch at one?", "yes, see you");
        await Expect(alice.MarkOf("are you there?")).ToHaveClassAsync("mark read");
        await Expect(alice.MarkOf("lunch at one?")).ToHaveClassAsync("mark read");
        await ScreenshotAsync(alice.Page, "first-day-3-receipts-after-history");

        // Signing out forgets the session: a reload shows the sign-in form.
        await bob.Page.ClickAsync("#logout");
        await Expect(bob.Page.Locator("#login")).ToBeVisibleAsync();
        (await bob.Page.EvaluateAsync<string?>("localStorage.getItem('cometchat-session')")).ShouldBeNull();
        await bob.Page.ReloadAsync();
        await Expect(bob.Page.Locator("#login")).ToBeVisibleAsync();
        await Expect(bob.Page.Locator("#login-transport")).ToHaveCountAsync(0); // the transport picker is not on the sign-in form
        ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task ABrowserWithoutLocalStorageKeepsTheSessionInACookieAndSigningOutClearsIt()
    {
        var page = await NewPageAsync("Object.defineProperty(window, 'localStorage', { get: function () { return undefined; }, configurable: true });");
        var carol = await ChatPage.SignInAsync(page, Server.Url, "carol");
        (await page.EvaluateAsync<string>("document.cookie")).ShouldContain("cometchat-session=carol");

        await page.ReloadAsync();
        await carol.ShouldBeConnectedAsync();
        await Expect(page.Locator("#me-name")).ToHaveTextAsync("carol");
        await Expect(page.Locator("#login")).ToBeHiddenAsync();
        await ScreenshotAsync(page, "first-day-9-cookie-session-after-reload");

        await page.ClickAsync("#logout");
        await Expect(page.Locator("#login")).ToBeVisibleAsync();
        (await page.EvaluateAsync<string>("document.cookie")).ShouldNotContain("cometchat-session");
        await page.ReloadAsync();
        await Expect(page.Locator("#login")).ToBeVisibleAsync();
        ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task ThePageIsHonestWhileOfflineAndOldMessagesCarryTheirDate()
    {
        var alice = await ChatPage.SignInAsync(await NewPageAsync(), Server.Url, "alice", "longpoll");
        var bob = await ChatPage.SignInAsync(await NewPageAsync(), Server.Url, "bob", "longpoll");
        await alice.OpenAsync("bob");
        await Expect(alice.Page.Locator("#conv-dot")).ToHaveClassAsync("dot on");
        (await alice.Page.EvaluateAsync<string>("document.querySelector('link[rel=icon]').href")).ShouldEndWith("/favicon.ico");
        (await alice.Page.APIRequest.GetAsync(new Uri(Server.Url, "favicon.ico").ToString())).Status.ShouldBe(200);
        await Expect(alice.Page.Locator("#transport")).ToBeHiddenAsync(); // in the "connection…" corner
        await alice.Page.ClickAsync("#advanced-link");
        await Expect(alice.Page.Locator("#transport")).ToBeVisibleAsync();

        await Server.StopAsync();
        await Expect(alice.Page.Locator("#banner")).ToBeVisibleAsync();
        await Expect(alice.Page.Locator("#conv-dot")).ToHaveClassAsync("dot off"); // nobody is known online while offline
        await Expect(alice.Page.Locator("#convs li[data-conv='bob'] .dot")).ToHaveClassAsync("dot off");
        var banner = await alice.Page.Locator("#banner").BoundingBoxAsync();
        var title = await alice.Page.Locator("#conv-title").BoundingBoxAsync();
        (title!.Y >= banner!.Y + banner.Height).ShouldBeTrue("the offline banner must not cover the conversation's title");
        await ScreenshotAsync(alice.Page, "first-day-4-offline");
        await Server.StartAgainAsync();
        await alice.ShouldBeConnectedAsync();
        await bob.ShouldBeConnectedAsync();
        await Expect(alice.Page.Locator("#banner")).ToBeHiddenAsync();

        // A message from an earlier day shows its date, not only its time.
        (await alice.Page.EvaluateAsync<string>("CometChatPage.timeOf(new Date(2024, 2, 5, 9, 7).getTime())")).ShouldBe("5 Mar 2024 09:07");
        ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task TheWidgetWithADataTokenKeepsItsThreadAcrossTwoShopPages()
    {
        var agent = await ChatPage.SignInAsync(await NewPageAsync(), Server.Url, ChatHost.Agent);
        var token = ChatHost.MintToken("customer_1042", TimeSpan.FromHours(1));
        var shop = await NewPageAsync();
        await shop.GotoAsync(Site.Page(Shop.Page(Server, $"data-token=\"{token}\"")).ToString());
        await shop.ClickAsync("#cometchat-w-button");
        await Shop.AskAsync(shop, "Where is my order?");
        await agent.OpenWhenListedAsync("customer_1042");
        await agent.SendAsync("It ships today.");
        await Expect(Shop.Thread(shop)).ToHaveTextAsync(["Where is my order?", "It ships today."]);

        // The customer moves on to another page of the shop: the panel is still open, the thread still there.
        await shop.GotoAsync(Site.Page(Shop.Page(Server, $"data-token=\"{token}\"", "Our teas")).ToString());
        await Expect(shop.Locator("#cometchat-w-panel")).ToBeVisibleAsync();
        await Expect(shop.Locator("#cometchat-w-panel")).ToHaveAttributeAsync("data-thread", "loaded");
        await Expect(Shop.Thread(shop)).ToHaveTextAsync(["Where is my order?", "It ships today."]);
        await ScreenshotAsync(shop, "first-day-5-widget-second-page");
        await agent.SendAsync("Tracking: 1Z999.");
        await Expect(Shop.Thread(shop)).ToHaveTextAsync(["Where is my order?", "It ships today.", "Tracking: 1Z999."]);

        // A third page whose panel is closed: the thread is there the moment it is opened.
        await shop.ClickAsync("#cometchat-w-button");
        await shop.GotoAsync(Site.Page(Shop.Page(Server, $"data-token=\"{token}\"", "Checkout")).ToString());
        await Expect(shop.Locator("#cometchat-w-panel")).ToBeHiddenAsync();
        await shop.ClickAsync("#cometchat-w-button");
        await Expect(Shop.Thread(shop)).ToHaveTextAsync(["Where is my order?", "It ships today.", "Tracking: 1Z999."]);
        ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task AGuestFindsTheThreadOnTheNextPage()
    {
        var agent = await ChatPage.SignInAsync(await NewPageAsync(), Server.Url, ChatHost.Agent);
        var shop = await NewPageAsync();
        await shop.GotoAsync(Site.Page(Shop.Page(Server, "")).ToString());
        await shop.ClickAsync("#cometchat-w-button");
        await Shop.AskAsync(shop, "Do you ship abroad?");
        var guest = await shop.EvaluateAsync<string>("localStorage.getItem(Object.keys(localStorage)[0]).split(' ')[0]");
        await agent.OpenWhenListedAsync(guest);
        await agent.SendAsync("Yes, everywhere.");
        await Expect(Shop.Thread(shop)).ToHaveTextAsync(["Do you ship abroad?", "Yes, everywhere."]);

        await shop.GotoAsync(Site.Page(Shop.Page(Server, "", "Our teas")).ToString());
        await Expect(Shop.Thread(shop)).ToHaveTextAsync(["Do you ship abroad?", "Yes, everywhere."]);
        ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task AnExpiredTokenIsToldInAShoppersWordsAndANewTokenCarriesOn()
    {
        var expired = ChatHost.MintToken("customer_7", TimeSpan.FromSeconds(-30));
        var shop = await NewPageAsync();
        await shop.GotoAsync(Site.Page(Shop.Page(Server, $"data-token=\"{expired}\" data-user=\"customer_7\"")).ToString());
        await shop.ClickAsync("#cometchat-w-button");
        var panel = shop.Locator("#cometchat-w-panel");
        await Expect(panel).ToHaveAttributeAsync("data-state", "unauthorized");
        await Expect(shop.Locator("#cometchat-w-status")).ToHaveTextAsync("Your chat session has expired. Please reload the page to carry on chatting.");
        await Expect(panel).Not.ToContainTextAsync("token"); // no raw error
        await ScreenshotAsync(shop, "first-day-6-widget-expired");

        // The shop's page gets a fresh token for its customer and hands it over: the widget carries on.
        await shop.EvaluateAsync($"CometChatWidget.setToken('{ChatHost.MintToken("customer_7", TimeSpan.FromHours(1))}')");
        await Expect(panel).ToHaveAttributeAsync("data-state", "connected");
        await Expect(panel).ToHaveAttributeAsync("data-problem", "false");
        await Expect(shop.Locator("#cometchat-w-status")).Not.ToContainTextAsync("expired"); // (it tells that no agent is online)
        await Shop.AskAsync(shop, "Back again.");
        ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task ABadTokenIsToldInAShoppersWordsAndAChangedDataTokenCarriesOn()
    {
        var shop = await NewPageAsync();
        await shop.GotoAsync(Site.Page(Shop.Page(Server, "data-token=\"not-a-token\" data-user=\"customer_8\"")).ToString());
        await shop.ClickAsync("#cometchat-w-button");
        var panel = shop.Locator("#cometchat-w-panel");
        await Expect(panel).ToHaveAttributeAsync("data-state", "unauthorized");
        await Expect(shop.Locator("#cometchat-w-status")).ToHaveTextAsync("Your chat session has expired. Please reload the page to carry on chatting.");
        await Expect(panel).Not.ToContainTextAsync("token"); // no raw error
        await Expect(shop.Locator("#cometchat-w-state-text")).ToHaveTextAsync("signed out"); // not the library's "unauthorized"
        await ScreenshotAsync(shop, "first-day-10-widget-bad-token");

        // The shop's page writes a good token into the tag (no call to the widget): it carries on.
        var token = ChatHost.MintToken("customer_8", TimeSpan.FromHours(1));
        await shop.EvaluateAsync($"document.querySelector('script[data-token]').setAttribute('data-token', '{token}')");
        await Expect(panel).ToHaveAttributeAsync("data-state", "connected");
        await Expect(panel).ToHaveAttributeAsync("data-problem", "false");
        await Shop.AskAsync(shop, "Is the kettle in stock?");
        ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task AReloadOfTheAgentsConsoleKeepsTheAgentsSessions()
    {
        var customer = await ChatPage.SignInAsync(await NewPageAsync(), Server.Url, "kim");
        await customer.OpenAsync("@support");
        await customer.SendAsync("My kettle whistles in B flat.");

        var console = await NewPageAsync();
        await console.GotoAsync(new Uri(Server.Url, "agent.html").ToString());
        await console.FillAsync("#login-name", ChatHost.Agent);
        await console.FillAsync("#login-password", "pw-" + ChatHost.Agent);
        await console.ClickAsync("#login-button");
        await Expect(console.Locator("#mine li")).ToContainTextAsync("kim");
        await console.Locator("#mine li", new() { HasText = "kim" }).ClickAsync();
        await Expect(console.Locator("#thread .msg[data-kind='text'] .body")).ToHaveTextAsync(["My kettle whistles in B flat."]);

        await console.ReloadAsync();
        await Expect(console.Locator("#console")).ToBeVisibleAsync();
        await Expect(console.Locator("#login")).ToBeHiddenAsync();
        await Expect(console.Locator("#mine li")).ToContainTextAsync("kim");
        await Expect(console.Locator("#thread .msg[data-kind='text'] .body")).ToHaveTextAsync(["My kettle whistles in B flat."]);
        await ScreenshotAsync(console, "first-day-7-console-after-reload");

        // The agent's typing belongs to the customer's @support thread and opens no conversation named after the agent.
        await Expect(customer.Page.Locator("#conv-title")).ToHaveTextAsync("@support");
        for (var i = 0; i < 40 && !await customer.Page.Locator("#typing", new() { HasText = "is typing" }).IsVisibleAsync(); i++)
        {
            await console.EvaluateAsync("CometChatConsole.chat().typing('kim')");
            await console.WaitForTimeoutAsync(250);
        }
        await Expect(customer.Page.Locator("#typing")).ToHaveTextAsync(ChatHost.Agent + " is typing\u2026");
        await Expect(customer.Page.Locator($"#convs li[data-conv='{ChatHost.Agent}']")).ToHaveCountAsync(0);
        await ScreenshotAsync(customer.Page, "first-day-8-agent-typing-in-support");

        // A returning customer finds the @support thread: reload, and it is all there.
        await console.FillAsync("#body", "Try descaling it.");
        await console.PressAsync("#body", "Enter");
        await customer.Page.ReloadAsync();
        await customer.ShouldBeConnectedAsync();
        await Expect(customer.Page.Locator("#conv-title")).ToHaveTextAsync("@support");
        await Expect(customer.Bodies).ToHaveTextAsync(["My kettle whistles in B flat.", "Try descaling it."]);
        ShouldHaveNoScriptErrors();
    }
}
