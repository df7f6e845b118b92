using System.Text.Json;
using CometChat.BrowserTests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CometChat.BrowserTests;

/// <summary>
/// The whole desk in real Chromium (issue 16): a guest on a shop from another origin asks through embed.js
/// and sees their place in the queue; an agent in agent.html claims (and sees the question at once), replies
/// with a canned response, writes a note the customer never sees, transfers to a second agent who closes;
/// the customer rates; the report shows the session. Again with the customer's browser stripped of
/// WebSocket, EventSource and CORS XHR. Screenshots of the console and the widget at each step.
/// </summary>
public sealed class DeskConsoleTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    // Agents claim from the queue (manual routing), so the customer waits with a visible position.
    protected override Dictionary<string, string?> ServerSettings => new()
    {
        ["Chat:Support:Agents:0"] = ChatHost.Agent,
        ["Chat:Support:Agents:1"] = ChatHost.SecondAgent,
        ["Chat:Support:Routing"] = "manual",
    };

    // An old browser as far as cometchat.js can tell: no WebSocket, EventSource or fetch, and an XHR without CORS.
    private const string NoModernTransports = """
        delete window.WebSocket; delete window.EventSource; delete window.fetch;
        (function () { var X = window.XMLHttpRequest; window.XMLHttpRequest = function () { var x = new X(); return { open: function () { return x.open.apply(x, arguments); }, send: function () { return x.send.apply(x, arguments); }, setRequestHeader: function () { return x.setRequestHeader.apply(x, arguments); }, abort: function () { return x.abort(); } }; }; })();
        """;

    [Fact]
    public Task ACustomerOnAShopIsServedEndToEnd() => RunDeskAsync("modern", null);

    [Fact]
    public Task ACustomerWithJsonpOnlyIsServedEndToEnd() => RunDeskAsync("jsonp-only", NoModernTransports);

    private async Task RunDeskAsync(string label, string? customerInit)
    {
        var ann = await OpenConsoleAsync(ChatHost.Agent);
        var zed = await OpenConsoleAsync(ChatHost.SecondAgent);

        // The shopper: a guest (no token), on another origin.
        var shop = await NewPageAsync(customerInit, width: 900, height: 640);
        var requests = new List<string>();
        shop.Request += (_, r) => { if (r.ResourceType is "xhr" or "fetch" or "eventsource" or "websocket") requests.Add(r.Url); };
        await shop.GotoAsync(Site.Page(ShopPage()).ToString());
        if (customerInit is not null)
            (await shop.EvaluateAsync<string>("[typeof WebSocket, typeof EventSource, typeof fetch, 'withCredentials' in new XMLHttpRequest()].join()"))
                .ShouldBe("undefined,undefined,undefined,false");
        await shop.ClickAsync("#cometchat-w-button");
        var panel = shop.Locator("#cometchat-w-panel");
        await Expect(panel).ToHaveAttributeAsync("data-state", "connected");
        await Expect(panel).ToHaveAttributeAsync("data-desk", "online");
        await Expect(shop.Locator("#cometchat-w-state-text")).ToHaveTextAsync("online");
        await shop.FillAsync("#cometchat-w-input", "Where is my order 1042?");
        await shop.PressAsync("#cometchat-w-input", "Enter");
        await Expect(panel).ToHaveAttributeAsync("data-position", "1");
        await Expect(shop.Locator("#cometchat-w-status")).ToContainTextAsync("You are number 1 in the queue");
        var guest = await shop.EvaluateAsync<string>("localStorage.getItem(Object.keys(localStorage)[0]).split(' ')[0]");
        guest.ShouldStartWith("guest-");
        await ScreenshotAsync(shop, $"desk-{label}-1-widget-queued");

        // ann sees the guest waiting, first words and all, and claims: the question is there at once.
        var entry = ann.Locator("#queue li[data-position='1']");
        await Expect(entry).ToContainTextAsync(guest);
        await Expect(entry).ToContainTextAsync("Where is my order 1042?");
        await Expect(entry.Locator(".tag.guest")).ToHaveCountAsync(1);
        await ScreenshotAsync(ann, $"desk-{label}-2-console-queue");
        await entry.Locator("button.claim").ClickAsync();
        await Expect(ann.Locator("#thread .msg[data-kind='text'] .body")).ToHaveTextAsync(["Where is my order 1042?"]);
        await Expect(ann.Locator("#mine li")).ToContainTextAsync(guest);
        await Expect(ann.Locator("#ctx-visitor")).ToContainTextAsync(Site.Url.GetLeftPart(UriPartial.Authority));
        await Expect(ann.Locator("#queue li")).ToHaveCountAsync(0);
        await Expect(shop.Locator("#cometchat-w-status")).ToBeHiddenAsync();

        // A canned response by /shortcut, then an internal note.
        await ann.FillAsync("#canned-shortcut", "ship");
        await ann.FillAsync("#canned-body", "It ships today, tracking follows by email.");
        await ann.ClickAsync("#canned-save");
        await Expect(ann.Locator("#canned li[data-shortcut='ship']")).ToHaveCountAsync(1);
        await ann.Locator("#body").PressSequentiallyAsync("/sh");
        await Expect(ann.Locator("#suggest div[data-shortcut='ship']")).ToBeVisibleAsync();
        await ann.PressAsync("#body", "Tab");
        await Expect(ann.Locator("#body")).ToHaveValueAsync("It ships today, tracking follows by email.");
        await ann.PressAsync("#body", "Enter");
        await ann.SelectOptionAsync("#mode", "note");
        await ann.FillAsync("#body", "VIP customer, offer free shipping next time");
        await ann.PressAsync("#body", "Enter");
        await Expect(ann.Locator("#thread .msg.internal")).ToContainTextAsync("VIP customer");
        await Expect(shop.Locator("#cometchat-w-log .cometchat-w-msg[data-mid] span"))
            .ToHaveTextAsync(["Where is my order 1042?", "It ships today, tracking follows by email."]);
        await ScreenshotAsync(ann, $"desk-{label}-3-console-reply-and-note");
        await ScreenshotAsync(shop, $"desk-{label}-4-widget-reply");

        // Transfer to zed, who sees the whole conversation (and the note), then closes.
        await ann.SelectOptionAsync("#mode", "reply");
        await Expect(ann.Locator($"#transfer-to option[value='{ChatHost.SecondAgent}']")).ToContainTextAsync("online");
        await ann.SelectOptionAsync("#transfer-to", ChatHost.SecondAgent);
        await ann.ClickAsync("#transfer");
        var zedSession = zed.Locator("#mine li");
        await Expect(zedSession).ToContainTextAsync(guest);
        await zedSession.ClickAsync();
        await Expect(zed.Locator("#thread .msg[data-kind='text'] .body"))
            .ToHaveTextAsync(["Where is my order 1042?", "It ships today, tracking follows by email."]);
        await Expect(zed.Locator("#thread .msg.internal")).ToContainTextAsync("VIP customer");
        await ScreenshotAsync(zed, $"desk-{label}-5-console-transferred");
        await zed.ClickAsync("#close");
        await Expect(zed.Locator("#session-state")).ToHaveTextAsync("closed");

        // The customer rates; the note never reached them.
        var rating = shop.Locator("#cometchat-w-rating");
        await Expect(rating).ToBeVisibleAsync();
        await shop.FillAsync("#cometchat-w-comment", "fast and friendly");
        await ScreenshotAsync(shop, $"desk-{label}-6-widget-rating");
        await shop.ClickAsync("#cometchat-w-rating button[data-score='5']");
        await Expect(shop.Locator("#cometchat-w-log")).ToContainTextAsync("Thank you for your rating!");
        (await shop.Locator("#cometchat-w-log").InnerTextAsync()).ShouldNotContain("VIP");
        await Expect(zed.Locator("#thread")).ToContainTextAsync("rated the session 5 fast and friendly");
        await ScreenshotAsync(zed, $"desk-{label}-7-console-rated");

        // The report shows the session.
        using var http = new HttpClient { BaseAddress = Server.Url };
        var report = await http.GetFromJsonAsync<JsonElement>($"api/support/report?token={ChatHost.MintToken(ChatHost.Agent, TimeSpan.FromHours(1))}");
        var total = report.GetProperty("total");
        (total.GetProperty("sessions").GetInt32(), total.GetProperty("ratingAverage").GetDouble(), total.GetProperty("ratings").GetInt32()).ShouldBe((1, 5.0, 1));
        // Per agent, a session counts for the agent who had it last: zed closed it, ann's reply was its first response.
        var zedFigures = report.GetProperty("agents").EnumerateArray().Single(a => a.GetProperty("agent").GetString() == ChatHost.SecondAgent);
        zedFigures.GetProperty("sessions").GetInt32().ShouldBe(1);
        zedFigures.GetProperty("firstResponseMedianSeconds").GetDouble().ShouldBeGreaterThan(0);
        var annFigures = report.GetProperty("agents").EnumerateArray().Single(a => a.GetProperty("agent").GetString() == ChatHost.Agent);
        (annFigures.GetProperty("sessions").GetInt32(), annFigures.GetProperty("ratingAverage").ValueKind).ShouldBe((0, JsonValueKind.Null));

        requests.ShouldBeEmpty("the widget talks by JSONP only");
        ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task TheChatPageShowsAWaitingCustomerTheirPlaceInTheQueue()
    {
        var agent = await OpenConsoleAsync(ChatHost.Agent); // online: the desk is open, the session queues (manual routing)
        using var http = new HttpClient { BaseAddress = Server.Url };
        var first = ChatHost.MintToken("first_in_line", TimeSpan.FromHours(1));
        await http.PostAsync("api/messages", Form(("token", first), ("to", "@support"), ("body", "me first")));

        var kim = await ChatPage.SignInAsync(await NewPageAsync(), Server.Url, "kim");
        await kim.OpenAsync("@support");
        await kim.SendAsync("Do you have green tea?");
        await Expect(kim.Page.Locator("#conv-info")).ToHaveTextAsync("number 2 in the queue");
        await Expect(agent.Locator("#queue li")).ToHaveCountAsync(2);
        await agent.Locator("#queue li[data-position='1'] button.claim").ClickAsync();
        await Expect(kim.Page.Locator("#conv-info")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^number 1 in the queue, about \\d+ s$"));
        await ScreenshotAsync(kim.Page, "desk-chat-page-queued");
        await agent.Locator("#queue li[data-position='1'] button.claim").ClickAsync();
        await Expect(kim.Page.Locator("#messages .msg.note").Last).ToHaveTextAsync($"Support: assigned to {ChatHost.Agent}");
        await Expect(agent.Locator("#thread .body")).ToHaveTextAsync(["Do you have green tea?"]);
        ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task TheTitleBlinksWhenACustomerWritesWhileTheConsoleIsInTheBackground()
    {
        var ann = await OpenConsoleAsync(ChatHost.Agent);
        using var http = new HttpClient { BaseAddress = Server.Url };
        var kim = ChatHost.MintToken("kim", TimeSpan.FromHours(1));
        var sid = (await Json(await http.PostAsync("api/messages", Form(("token", kim), ("to", "@support"), ("body", "hello?"))))).GetProperty("sid").GetInt64();
        await ann.Locator($"#queue li[data-sid='{sid}'] button.claim").ClickAsync();
        await Expect(ann.Locator("#thread .body")).ToHaveTextAsync(["hello?"]);

        await ann.EvaluateAsync("Object.defineProperty(document, 'hidden', { configurable: true, get: function () { return true; } })");
        await http.PostAsync("api/messages", Form(("token", kim), ("to", "@support"), ("body", "are you there?")));
        await Expect(ann).ToHaveTitleAsync(new System.Text.RegularExpressions.Regex("^(\\(1\\) kim wrote|Support console)$"));
        await ann.WaitForFunctionAsync("() => document.title === '(1) kim wrote'");
        await ann.EvaluateAsync("Object.defineProperty(document, 'hidden', { configurable: true, get: function () { return false; } }); document.dispatchEvent(new Event('visibilitychange'))");
        await Expect(ann).ToHaveTitleAsync("Support console");
        ShouldHaveNoScriptErrors();
    }

    private async Task<IPage> OpenConsoleAsync(string agent)
    {
        var page = await NewPageAsync(width: 1280, height: 720);
        await page.GotoAsync(new Uri(Server.Url, "agent.html#token=" + ChatHost.MintToken(agent, TimeSpan.FromHours(1))).ToString());
        await Expect(page.Locator("#console")).ToHaveAttributeAsync("data-state", "connected");
        await Expect(page.Locator("#me-name")).ToHaveTextAsync(agent);
        return page;
    }

    private string ShopPage() => $"""
        <!DOCTYPE html>
        <html><head><meta charset="utf-8"><title>Tea &amp; Kettles</title></head>
        <body style="font-family: Georgia, serif; margin: 40px"><h1>Tea &amp; Kettles</h1><p>Order 1042: a cast-iron kettle.</p>
        <script src="{Server.Origin}/embed.js" data-server="{Server.Origin}" data-title="Ask us"></script>
        </body></html>
        """;

    private static FormUrlEncodedContent Form(params (string Key, string Value)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.Key, f.Value)));

    private static async Task<JsonElement> Json(HttpResponseMessage res)
    {
        res.EnsureSuccessStatusCode();
        return await res.Content.ReadFromJsonAsync<JsonElement>();
    }
}
