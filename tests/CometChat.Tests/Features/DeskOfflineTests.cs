using CometChat.Core;
using CometChat.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using netDumbster.smtp;

namespace CometChat.Tests.Features;

/// <summary>
/// The desk while nobody can answer (API.md §7 offline): opening hours in a named time zone, offline notices,
/// and replies emailed through a real SMTP server (netDumbster, started here) when the customer is gone.
/// Time is the fake clock's; nothing sleeps.
/// </summary>
public sealed class DeskOfflineTests : IAsyncLifetime
{
    // Saturday 28 November 2026, 12:00 UTC (13:00 in Berlin).
    private static readonly DateTimeOffset Saturday = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private readonly List<IAsyncDisposable> _owned = [];
    private SimpleSmtpServer? _smtp;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var o in _owned) await o.DisposeAsync();
        _smtp?.Dispose();
    }

    private async Task<ChatServer> StartAsync(Dictionary<string, string?> settings, DateTimeOffset? now = null)
    {
        var server = await ChatServer.StartAsync(new Dictionary<string, string?>
        {
            ["Chat:Support:Agents:0"] = "ann",
            ["Chat:Support:Agents:1"] = "zed",
        }.With(settings), time: new FakeTimeProvider(now ?? DateTimeOffset.UtcNow));
        _owned.Add(server);
        return server;
    }

    [Fact]
    public async Task OutsideOpeningHoursCustomersAreToldOnceAndWaitUntilTheDeskOpens()
    {
        var server = await StartAsync(new() { ["Chat:Support:Hours"] = "Mon-Fri 09:00-18:00", ["Chat:Support:TimeZone"] = "Europe/Berlin" }, Saturday);
        var ann = await server.MintedAsync("ann");
        var kim = await server.MintedAsync("kim");
        await ann.GetAsync("api/messages"); // online, yet the desk is closed on Saturdays
        var before = await kim.GetAsync("api/support/mine");
        (before.Str("state"), before.GetProperty("offline").GetBoolean(), before.Str("reason"))
            .ShouldBe(("none", true, "outside opening hours (Mon-Fri 09:00-18:00, Europe/Berlin)"));

        var sid = (await kim.SendAsync("@support", "is the shop open?")).Num("sid");
        await kim.SendAsync("@support", "hello?");
        var feed = await kim.FeedAsync(kim.Cursor);
        feed.Select(m => (m.Str("kind"), m.Str("body"))).ShouldBe([
            ("session", "offline: outside opening hours (Mon-Fri 09:00-18:00, Europe/Berlin)"), ("text", "is the shop open?"), ("text", "hello?")]);
        var mine = await kim.GetAsync("api/support/mine");
        (mine.Num("sid"), mine.Str("state"), mine.Num("position"), mine.GetProperty("offline").GetBoolean()).ShouldBe((sid, "queued", 1L, true));

        // Monday 07:59 UTC is 08:59 in Berlin (UTC+1 in winter): still closed. At 08:00 UTC it opens.
        server.Time.SetUtcNow(new DateTimeOffset(2026, 11, 30, 7, 59, 0, TimeSpan.Zero));
        await ann.GetAsync("api/messages");
        (await kim.GetAsync("api/support/mine")).Str("state").ShouldBe("queued");
        server.Time.SetUtcNow(new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.Zero));
        (await kim.GetAsync("api/support/mine")).GetProperty("offline").GetBoolean().ShouldBeTrue(); // open, but ann's presence lapsed
        var poll = await ann.GetAsync($"api/poll?since={ann.Cursor}&timeout=5"); // ann is seen: the queue is hers, oldest first
        if (poll.GetProperty("messages").GetArrayLength() == 0) poll = await ann.GetAsync($"api/messages?since={ann.Cursor}");
        poll.GetProperty("messages")[0].Str("body").ShouldBe("assigned to ann");
        var open = await kim.GetAsync("api/support/mine");
        (open.Str("state"), open.Str("agent"), open.GetProperty("offline").GetBoolean()).ShouldBe(("assigned", "ann", false));
    }

    [Fact]
    public async Task WithNoAgentOnlineTheNoticeRepeatsOnlyWhenTheReasonChanges()
    {
        var server = await StartAsync(new() { ["Chat:Support:Routing"] = "manual" });
        var ann = await server.MintedAsync("ann");
        var kim = await server.MintedAsync("kim");
        var sid = (await kim.SendAsync("@support", "anyone?")).Num("sid");
        await ann.GetAsync("api/messages"); // online now: a customer writing is not told "offline" again
        await kim.SendAsync("@support", "still here");
        server.Time.Advance(TimeSpan.FromMinutes(5)); // ann's presence lapses: offline again, said once more
        await kim.SendAsync("@support", "hello??");
        (await kim.FeedAsync(kim.Cursor)).Select(m => m.Str("body"))
            .ShouldBe(["offline: no agent is online", "anyone?", "still here", "offline: no agent is online", "hello??"]);
        (await ann.GetAsync("api/support/queue")).GetProperty("queue")[0].Num("sid").ShouldBe(sid);
    }

    [Fact]
    public async Task AReplyIsEmailedOnlyToACustomerWhoLeftAnAddressAndWasGone()
    {
        _smtp = SimpleSmtpServer.Start();
        var server = await StartAsync(new()
        {
            ["Chat:Smtp:Host"] = "127.0.0.1",
            ["Chat:Smtp:Port"] = _smtp.Configuration.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Chat:Smtp:StartTls"] = "false",
            ["Chat:Smtp:From"] = "help@shop.example",
            ["Chat:Support:EmailAfterSeconds"] = "60",
        });
        var dispatcher = server.Get<OutboxDispatcher>();
        var ann = await server.MintedAsync("ann");
        var kim = await server.MintedAsync("kim"); // leaves an address
        var bo = await server.MintedAsync("bo");   // leaves none
        var cy = await server.MintedAsync("cy");   // leaves one, but is connected when the reply comes
        await ann.GetAsync("api/messages");
        var kimSid = (await kim.PostAsync("api/messages", ("to", "@support"), ("body", "please email me"), ("page", "https://shop.example/cart"))).Num("sid");
        await kim.PostAsync($"api/support/{kimSid}/contact", ("email", "kim@example.com"));
        var boSid = (await bo.SendAsync("@support", "no email for me")).Num("sid");
        var cySid = (await cy.SendAsync("@support", "I'll stay")).Num("sid");
        await cy.JsonpAsync($"api/support/contact?sid={cySid}&email=cy%40example.com");

        server.Time.Advance(TimeSpan.FromSeconds(30)); // the customers' presence (10 s grace) lapses
        await ann.GetAsync("api/messages");
        var cyCursor = (await cy.GetAsync("api/messages")).Num("cursor");
        var cyWaits = cy.GetAsync($"api/poll?since={cyCursor}&timeout=50");
        await server.WaitForParkedPollsAsync(1);
        await ann.SendWithSidAsync("kim", "Your parcel left today.", kimSid);
        await ann.SendWithSidAsync("bo", "Your parcel left too.", boSid);
        await ann.SendWithSidAsync("cy", "Yours as well.", cySid);
        await cyWaits.DefaultTimeout();

        server.Time.Advance(TimeSpan.FromSeconds(59));
        await dispatcher.DispatchDueAsync(CancellationToken.None).DefaultTimeout();
        _smtp.ReceivedEmailCount.ShouldBe(0); // not yet: the customer has a minute to come back
        server.Time.Advance(TimeSpan.FromSeconds(1));
        await dispatcher.DispatchDueAsync(CancellationToken.None).DefaultTimeout();

        _smtp.ReceivedEmailCount.ShouldBe(1);
        var mail = _smtp.ReceivedEmail[0];
        mail.ToAddresses.Select(a => a.Address).ShouldBe(["kim@example.com"]);
        mail.FromAddress.Address.ShouldBe("help@shop.example");
        mail.Headers["Subject"].ShouldBe("ann replied to your support question");
        var text = mail.MessageParts[0].BodyData;
        text.ShouldContain("Your parcel left today.");
        text.ShouldContain("https://shop.example/cart");

        // Asked for, the transcript goes to the contact address at once; without an address there is nowhere to send it.
        (await kim.PostAsync($"api/support/{kimSid}/transcript/email")).GetProperty("queued").GetBoolean().ShouldBeTrue();
        (await bo.PostAsync($"api/support/{boSid}/transcript/email", System.Net.HttpStatusCode.Conflict)).Detail().ShouldContain("no contact address");
        (await bo.JsonpAsync($"api/support/transcript/email?sid={boSid}")).GetProperty("error").Str("code").ShouldBe("conflict");
        await dispatcher.DispatchDueAsync(CancellationToken.None).DefaultTimeout();
        _smtp.ReceivedEmailCount.ShouldBe(2);
        var transcript = _smtp.ReceivedEmail.Single(m => m.Headers["Subject"] == $"Transcript of your support conversation ({kimSid})");
        transcript.ToAddresses.Single().Address.ShouldBe("kim@example.com");
        transcript.MessageParts.Select(p => p.BodyData).ShouldContain(b => b.Contains("ann: Your parcel left today."));
        server.Time.Advance(TimeSpan.FromHours(2));
        await dispatcher.DispatchDueAsync(CancellationToken.None).DefaultTimeout();
        _smtp.ReceivedEmailCount.ShouldBe(2);
    }
}

/// <summary>Chat:Support:Hours as written by a shop owner, read in its time zone.</summary>
public sealed class DeskHoursTests
{
    [Theory]
    [InlineData("Mon-Fri 09:00-18:00", "2026-11-30T08:00:00Z", true)]   // Monday 09:00 Berlin
    [InlineData("Mon-Fri 09:00-18:00", "2026-11-30T07:59:00Z", false)]
    [InlineData("Mon-Fri 09:00-18:00", "2026-11-30T17:00:00Z", false)]  // 18:00 Berlin: closed
    [InlineData("Mon-Fri 09:00-18:00", "2026-07-06T07:00:00Z", true)]   // summer (UTC+2): 09:00 Berlin
    [InlineData("Mon-Fri 09:00-18:00; Sat 10:00-14:00", "2026-11-28T10:00:00Z", true)]
    [InlineData("Fri-Mon 22:00-02:00", "2026-12-01T00:30:00Z", true)]   // Tue 01:30 Berlin, after Monday night
    [InlineData("Fri-Mon 22:00-02:00", "2026-12-02T00:30:00Z", false)]  // Wed 01:30
    [InlineData("Sun 00:00-24:00", "2026-11-29T22:59:00Z", true)]       // Sun 23:59 Berlin
    [InlineData("", "2026-11-29T03:00:00Z", true)]
    public void OpenHoursFollowTheTimeZone(string hours, string utc, bool open) =>
        new DeskHours(hours, "Europe/Berlin").IsOpen(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture)).ShouldBe(open);

    [Theory]
    [InlineData("Mon-Fri 9-18", "UTC", "Chat:Support:Hours")]
    [InlineData("Mon-Fry 09:00-18:00", "UTC", "Chat:Support:Hours")]
    [InlineData("Mon 25:00-26:00", "UTC", "Chat:Support:Hours")]
    [InlineData("Mon 09:00-18:00", "Europe/Berlni", "Chat:Support:TimeZone")]
    public void BadSettingsAreNamed(string hours, string zone, string setting) =>
        Should.Throw<InvalidOperationException>(() => new DeskHours(hours, zone)).Message.ShouldStartWith(setting);
}
