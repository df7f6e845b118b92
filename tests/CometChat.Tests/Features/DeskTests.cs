using System.Net;
using CometChat.Tests.Infrastructure;

namespace CometChat.Tests.Features;

/// <summary>The desk of API.md §7 over HTTP, as curl would use it: queue, claims, routing, notes, ratings, transcripts, canned responses, guests, report.</summary>
public class DeskTests : IAsyncLifetime
{
    /// <summary>Extra settings of a subclass that runs these tests on another backend (see Scaleout/PostgresSuiteTests.cs).</summary>
    protected virtual Dictionary<string, string?> Backend => [];

    private readonly List<ChatServer> _servers = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var s in _servers) await s.DisposeAsync();
    }

    private async Task<ChatServer> StartAsync(Dictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Chat:Support:Agents:0"] = "ann",
            ["Chat:Support:Agents:1"] = "zed",
        }.With(settings ?? []).With(Backend);
        var server = await ChatServer.StartAsync(all);
        _servers.Add(server);
        return server;
    }

    private static Task ComeOnlineAsync(TestUser agent) => agent.GetAsync("api/messages");

    /// <summary>A desk with agents ann (online: a short poll) and zed (not yet seen).</summary>
    private async Task<(ChatServer Server, TestUser Ann, TestUser Zed)> StartWithAgentsAsync(Dictionary<string, string?>? settings = null)
    {
        var server = await StartAsync(settings);
        var ann = await server.MintedAsync("ann");
        var zed = await server.MintedAsync("zed");
        await ComeOnlineAsync(ann);
        return (server, ann, zed);
    }

    [Fact]
    public async Task ManualRoutingQueuesWithPositionsAndAgentsClaim()
    {
        var (server, ann, zed) = await StartWithAgentsAsync(new() { ["Chat:Support:Routing"] = "manual" });
        await ComeOnlineAsync(zed);
        var c1 = await server.MintedAsync("c1", new Dictionary<string, object> { ["order"] = "A-1042", ["tier"] = "gold" });
        var c2 = await server.MintedAsync("c2");
        var c3 = await server.MintedAsync("c3");

        var s1 = (await c1.PostAsync("api/messages", ("to", "@support"), ("body", "Where is   my\norder A-1042?"),
            ("page", "https://shop.example/orders/1042"), ("lang", "de-DE"), ("ua", "Mozilla/5.0 test"))).Num("sid");
        var s2 = (await c2.SendAsync("@support", "wrong size")).Num("sid");
        var s3 = (await c3.SendAsync("@support", "refund?")).Num("sid");
        // Agents are online, so the desk is: the customers are told they queue, not that it is offline.
        (await c1.FeedAsync(c1.Cursor))[0].Str("body").ShouldBe("queued");

        var queue = await ann.GetAsync("api/support/queue");
        var entries = queue.GetProperty("queue").EnumerateArray().ToArray();
        entries.Select(e => (e.Num("sid"), e.Str("customer"), e.Num("position"))).ShouldBe([(s1, "c1", 1L), (s2, "c2", 2L), (s3, "c3", 3L)]);
        entries[0].Str("first").ShouldBe("Where is my order A-1042?");
        entries[0].GetProperty("guest").GetBoolean().ShouldBeFalse();
        var context = entries[0].GetProperty("context");
        context.GetProperty("visitor").Str("page").ShouldBe("https://shop.example/orders/1042");
        context.GetProperty("visitor").Str("lang").ShouldBe("de-DE");
        context.GetProperty("site").Str("order").ShouldBe("A-1042");
        context.GetProperty("site").Str("tier").ShouldBe("gold");
        context.EnumerateObject().Select(p => p.Name).ShouldBe(["visitor", "site"], "the context answers its two sources and nothing else");
        queue.TryGetProperty("estimatedWaitSeconds", out _).ShouldBeFalse(); // nobody was assigned yet: no estimate

        var mine = await c3.GetAsync("api/support/mine");
        (mine.Num("sid"), mine.Str("state"), mine.Num("position"), mine.GetProperty("offline").GetBoolean()).ShouldBe((s3, "queued", 3L, false));
        (await c1.GetAsync("api/support/queue", HttpStatusCode.Forbidden)).Detail().ShouldContain("agents");

        // c3 waits on a long poll: a claim ahead of it moves it up, and it hears of it at once.
        var cursor = (await c3.GetAsync("api/messages")).Num("cursor");
        var parked = server.Get<CometChat.Core.ChatStats>().ParkedPolls;
        var waiting = c3.GetAsync($"api/poll?since={cursor}&timeout=30");
        await server.WaitForParkedPollsAsync(parked + 1); // queue events reach the listening: claim only once c3 listens
        var claimed = await ann.PostAsync($"api/support/{s1}/claim");
        (claimed.Str("agent"), claimed.Str("state"), claimed.GetProperty("changed").GetBoolean()).ShouldBe(("ann", "assigned", true));
        var events = (await waiting.DefaultTimeout()).GetProperty("events").EnumerateArray().ToArray();
        var moved = events.Single(e => e.Str("kind") == "queue");
        (moved.Num("sid"), moved.Num("position")).ShouldBe((s3, 2L));
        moved.GetProperty("estimatedWaitSeconds").GetInt64().ShouldBeGreaterThanOrEqualTo(0);

        // The customer's feed and the agent's get "assigned to ann"; a second claim is a conflict; one's own again changes nothing.
        (await c1.FeedAsync(c1.Cursor)).Last().Str("body").ShouldBe("assigned to ann");
        var taken = await zed.PostAsync($"api/support/{s1}/claim", HttpStatusCode.Conflict);
        (taken.Str("code"), taken.Detail()).ShouldBe(("conflict", $"'sid': session {s1} is already assigned to ann."));
        (await ann.PostAsync($"api/support/{s1}/claim")).GetProperty("changed").GetBoolean().ShouldBeFalse();
        var viaJsonp = await zed.JsonpAsync($"api/support/claim?sid={s2}");
        (viaJsonp.Num("sid"), viaJsonp.Str("agent")).ShouldBe((s2, "zed"));
        (await c2.PostAsync($"api/support/{s3}/claim", HttpStatusCode.Forbidden)).Detail().ShouldContain("agents");
        (await ann.GetAsync("api/support/queue")).GetProperty("queue").EnumerateArray().Select(e => (e.Num("sid"), e.Num("position"))).ShouldBe([(s3, 1L)]);
    }

    [Fact]
    public async Task AutoRoutingCapsEachAgentAndSkipsAwayAgents()
    {
        var (server, ann, zed) = await StartWithAgentsAsync(new() { ["Chat:Support:MaxSessionsPerAgent"] = "1" });
        await ComeOnlineAsync(zed);
        var away = await zed.PostAsync("api/support/status", ("state", "away"));
        (away.Str("agent"), away.GetProperty("away").GetBoolean(), away.GetProperty("online").GetBoolean()).ShouldBe(("zed", true, true));

        var c1 = await server.MintedAsync("c1");
        var c2 = await server.MintedAsync("c2");
        (await c1.SendAsync("@support", "one")).Num("sid");
        var s2 = (await c2.SendAsync("@support", "two")).Num("sid");
        (await c1.FeedAsync(c1.Cursor))[0].Str("body").ShouldBe("assigned to ann");
        (await c2.FeedAsync(c2.Cursor))[0].Str("body").ShouldBe("queued"); // ann is full, zed away: the desk is online but busy

        var agents = (await ann.GetAsync("api/support/agents")).GetProperty("agents").EnumerateArray()
            .Select(a => (a.Str("agent"), a.GetProperty("online").GetBoolean(), a.GetProperty("away").GetBoolean(), a.Num("load"))).ToArray();
        agents.ShouldBe([("ann", true, false, 1L), ("zed", true, true, 0L)]);

        // zed comes back: the waiting session is his at once.
        var back = await zed.JsonpAsync("api/support/status?state=online");
        back.GetProperty("away").GetBoolean().ShouldBeFalse();
        (await c2.FeedAsync(c2.Cursor)).Select(m => m.Str("body")).ShouldBe(["queued", "two", "assigned to zed"]);
        (await ann.GetAsync("api/support/queue")).GetProperty("queue").GetArrayLength().ShouldBe(0);
        (await zed.PostAsync("api/support/status", HttpStatusCode.BadRequest, ("state", "busy"))).Detail().ShouldContain("'state'");
        (await c1.PostAsync("api/support/status", HttpStatusCode.Forbidden, ("state", "away"))).Detail().ShouldContain("agents");
        _ = s2;
    }

    [Fact]
    public async Task NotesReachOnlyAgentsNeverTheCustomer()
    {
        var (server, ann, zed) = await StartWithAgentsAsync();
        var kim = await server.MintedAsync("kim");
        var sid = (await kim.SendAsync("@support", "my parcel is damaged")).Num("sid");
        await ann.SendWithSidAsync("kim", "sorry to hear that", sid);
        var note = await ann.PostAsync($"api/support/{sid}/notes", ("body", "customer since 2019, refund ok"));
        note.Num("sid").ShouldBe(sid);
        var jsonpNote = await ann.JsonpAsync($"api/support/note?sid={sid}&body=second%20note");
        await ann.PostAsync($"api/support/{sid}/transfer", ("to", "zed"));

        var annFeed = await ann.FeedAsync(ann.Cursor);
        var n = annFeed.Single(m => m.Num("mid") == note.Num("mid"));
        (n.Str("kind"), n.Str("from"), n.Str("to"), n.Num("sid"), n.Str("body")).ShouldBe(("note", "ann", "@support", sid, "customer since 2019, refund ok"));
        // The new agent sees later notes; the customer sees none anywhere.
        var zedNote = await zed.PostAsync($"api/support/{sid}/notes", ("body", "handled by zed now"));
        (await ann.FeedAsync(jsonpNote.Num("mid"))).ShouldContain(m => m.Num("mid") == zedNote.Num("mid")); // ann had the session: still an agent of it
        var kimFeed = await kim.FeedAsync(kim.Cursor);
        kimFeed.ShouldNotContain(m => m.Str("kind") == "note");
        (await kim.GetAsync("api/history?with=@support")).GetProperty("messages").EnumerateArray().ShouldNotContain(m => m.Str("kind") == "note");
        var kimTranscript = await kim.GetAsync($"api/support/{sid}/transcript");
        kimTranscript.GetProperty("messages").EnumerateArray().ShouldNotContain(m => m.Str("kind") == "note");
        var text = await (await kim.RawGetAsync($"api/support/{sid}/transcript?format=text")).Content.ReadAsStringAsync();
        text.ShouldNotContain("refund ok");
        var agentTranscript = await zed.GetAsync($"api/support/{sid}/transcript");
        agentTranscript.GetProperty("messages").EnumerateArray().Count(m => m.Str("kind") == "note").ShouldBe(3);

        (await kim.PostAsync($"api/support/{sid}/notes", HttpStatusCode.Forbidden, ("body", "x"))).Detail().ShouldContain("agents");
        (await ann.PostAsync($"api/support/{sid}/notes", HttpStatusCode.BadRequest)).Detail().ShouldContain("'body'");
    }

    [Fact]
    public async Task ACustomerRatesAClosedSessionOnce()
    {
        var server = await StartAsync();
        var ann = await server.MintedAsync("ann");
        await ComeOnlineAsync(ann);
        var kim = await server.MintedAsync("kim");
        var sid = (await kim.SendAsync("@support", "hello")).Num("sid");
        (await kim.PostAsync($"api/support/{sid}/rating", HttpStatusCode.Conflict, ("score", "5"))).Detail().ShouldContain("still open");
        await ann.PostAsync($"api/support/{sid}/close");
        (await kim.GetAsync("api/support/mine")).GetProperty("rated").GetBoolean().ShouldBeFalse();
        (await kim.PostAsync($"api/support/{sid}/rating", HttpStatusCode.BadRequest, ("score", "6"))).Detail().ShouldContain("'score'");
        (await ann.PostAsync($"api/support/{sid}/rating", HttpStatusCode.Forbidden, ("score", "1"))).Detail().ShouldContain("'sid'");

        var rated = await kim.JsonpAsync($"api/support/rate?sid={sid}&score=4&comment=quick%20and%20kind");
        var mark = rated.Num("mid");
        var toAnn = (await ann.FeedAsync(mark - 1)).Single();
        (toAnn.Str("kind"), toAnn.Str("from"), toAnn.Str("body"), toAnn.Num("sid")).ShouldBe(("rating", "kim", "4 quick and kind", sid));
        (await kim.PostAsync($"api/support/{sid}/rating", HttpStatusCode.Conflict, ("score", "1"))).Detail().ShouldContain("already rated");
        var session = await ann.GetAsync($"api/support/sessions/{sid}");
        (session.GetProperty("rating").Num("score"), session.GetProperty("rating").Str("comment")).ShouldBe((4L, "quick and kind"));
        (await kim.GetAsync("api/support/mine")).GetProperty("rated").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task TranscriptsInTextJsonAndHtmlForTheCustomerAndTheSessionsAgents()
    {
        var (server, ann, zed) = await StartWithAgentsAsync();
        var kim = await server.MintedAsync("kim");
        var eve = await server.MintedAsync("eve");
        var sid = (await kim.SendAsync("@support", "is <b>this</b> in stock?")).Num("sid");
        await ann.SendWithSidAsync("kim", "yes, 3 left", sid);
        await ann.PostAsync($"api/support/{sid}/close");

        var json = await kim.GetAsync($"api/support/{sid}/transcript?format=json");
        (json.Num("sid"), json.Str("customer"), json.Str("agent"), json.Str("state")).ShouldBe((sid, "kim", "ann", "closed"));
        json.GetProperty("messages").EnumerateArray().Select(m => m.Str("body")).ShouldBe(["assigned to ann", "is <b>this</b> in stock?", "yes, 3 left", "closed by ann"]);
        using var text = await kim.RawGetAsync($"api/support/{sid}/transcript?format=text");
        text.Content.Headers.ContentType!.MediaType.ShouldBe("text/plain");
        var lines = (await text.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].ShouldStartWith($"Support session {sid} with kim");
        lines[1..].Select(l => l[25..]).ShouldBe(["-- assigned to ann --", "kim: is <b>this</b> in stock?", "ann: yes, 3 left", "-- closed by ann --"]);
        using var html = await ann.RawGetAsync($"api/support/{sid}/transcript?format=html");
        html.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        html.Headers.GetValues("Content-Security-Policy").Single().ShouldStartWith("default-src 'none'");
        var page = await html.Content.ReadAsStringAsync();
        page.ShouldContain("is &lt;b&gt;this&lt;/b&gt; in stock?");
        page.ShouldNotContain("<b>this");
        var jsonp = await kim.JsonpAsync($"api/support/{sid}/transcript?format=text");
        jsonp.Str("text").ShouldContain("ann: yes, 3 left");

        (await eve.GetAsync($"api/support/{sid}/transcript", HttpStatusCode.Forbidden)).Detail().ShouldContain("'sid'");
        (await zed.GetAsync($"api/support/{sid}/transcript", HttpStatusCode.Forbidden)).Detail().ShouldContain("'sid'"); // never had it
        (await kim.GetAsync($"api/support/{sid}/transcript?format=pdf", HttpStatusCode.BadRequest)).Detail().ShouldContain("'format'");
        (await kim.PostAsync($"api/support/{sid}/transcript/email", HttpStatusCode.ServiceUnavailable)).Detail().ShouldContain("Chat:Smtp");
    }

    [Fact]
    public async Task CannedResponsesAreSharedByTheDesk()
    {
        var server = await StartAsync();
        var ann = await server.MintedAsync("ann");
        var zed = await server.MintedAsync("zed");
        var kim = await server.MintedAsync("kim");
        await ann.PostAsync("api/support/canned", ("shortcut", "/hello"), ("body", "Hello! How can I help you today?"));
        var list = await zed.JsonpAsync("api/support/canned/save?shortcut=ship&body=We%20ship%20within%2024%20hours.");
        list.GetProperty("canned").EnumerateArray().Select(c => (c.Str("shortcut"), c.Str("body")))
            .ShouldBe([("hello", "Hello! How can I help you today?"), ("ship", "We ship within 24 hours.")]);
        await zed.PostAsync("api/support/canned", ("shortcut", "hello"), ("body", "Hi there!"));
        (await ann.GetAsync("api/support/canned")).GetProperty("canned")[0].Str("body").ShouldBe("Hi there!");

        using (var del = await ann.Server.Http.SendAsync(ann.Request(HttpMethod.Delete, "api/support/canned/ship")))
            (await ChatServer.ReadJsonAsync(del, HttpStatusCode.OK)).GetProperty("canned").GetArrayLength().ShouldBe(1);
        (await ann.JsonpAsync("api/support/canned/delete?shortcut=ship")).GetProperty("error").Num("status").ShouldBe(404);
        (await ann.JsonpAsync("api/support/canned/delete?shortcut=hello")).GetProperty("canned").GetArrayLength().ShouldBe(0);
        (await kim.GetAsync("api/support/canned", HttpStatusCode.Forbidden)).Detail().ShouldContain("agents");
        (await ann.PostAsync("api/support/canned", HttpStatusCode.BadRequest, ("shortcut", "two words"), ("body", "x"))).Detail().ShouldContain("'shortcut'");
        (await ann.PostAsync("api/support/canned", HttpStatusCode.BadRequest, ("shortcut", "x"))).Detail().ShouldContain("'body'");
    }

    [Fact]
    public async Task GuestsGetANameNoLoginCanClaimAndAreLimitedPerAddress()
    {
        var server = await StartAsync(new() { ["Chat:Limits:Enabled"] = "true", ["Chat:Limits:GuestsPerMinutePerIp"] = "2" });
        var ann = await server.MintedAsync("ann");
        await ComeOnlineAsync(ann);
        using var res = await server.Http.PostAsync("api/guest", null);
        var guest = await ChatServer.ReadJsonAsync(res, HttpStatusCode.OK);
        var name = guest.Str("user");
        name.ShouldMatch("^guest-[a-z2-9]{12}$");
        var visitor = new TestUser(server, name, guest.Str("token"), 0);
        (await visitor.GetAsync("api/me")).Str("user").ShouldBe(name);
        var sid = (await visitor.SendAsync("@support", "just browsing")).Num("sid");
        (await ann.GetAsync($"api/support/sessions/{sid}")).GetProperty("guest").GetBoolean().ShouldBeTrue();

        // Nobody can log in as a guest, nor claim a guest- name of their own.
        foreach (var claim in new[] { name, "guest-mine", "GUEST-x" })
        {
            using var login = await server.Http.PostAsync("api/login", ChatServer.Form(("name", claim), ("password", "pw")));
            (await ChatServer.ReadJsonAsync(login, HttpStatusCode.Forbidden)).Detail().ShouldContain("'name'");
        }
        var jsonp = ChatServer.ParseJsonp(await server.Http.GetStringAsync("api/guest?callback=cb"), "cb");
        jsonp.Str("user").ShouldStartWith("guest-");
        using var third = await server.Http.PostAsync("api/guest", null);
        third.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        third.Headers.RetryAfter.ShouldNotBeNull();
    }

    [Fact]
    public async Task SessionListsCountUnreadAndShowTheLastMessage()
    {
        var (server, ann, zed) = await StartWithAgentsAsync();
        var kim = await server.MintedAsync("kim");
        var bo = await server.MintedAsync("bo");
        var s1 = (await kim.SendAsync("@support", "first")).Num("sid");
        await kim.SendAsync("@support", "second");
        var s2 = (await bo.SendAsync("@support", "hi")).Num("sid");
        await ann.PostAsync($"api/support/{s1}/contact", HttpStatusCode.Forbidden, ("email", "a@b.example"));
        var withContact = await kim.PostAsync($"api/support/{s1}/contact", ("email", "kim@example.com"));
        withContact.TryGetProperty("contact", out _).ShouldBeFalse(); // the customer's view never shows it back
        (await kim.PostAsync($"api/support/{s1}/contact", HttpStatusCode.BadRequest, ("email", "not an address"))).Detail().ShouldContain("'email'");

        var list = await ann.GetAsync("api/support/sessions?mine=true");
        var rows = list.GetProperty("sessions").EnumerateArray().ToArray();
        rows.Select(r => (r.Num("sid"), r.Str("customer"), r.Str("state"), r.Num("unread"))).ShouldBe([(s2, "bo", "assigned", 1L), (s1, "kim", "assigned", 2L)]);
        rows[1].GetProperty("last").Str("body").ShouldBe("second");
        list.GetProperty("more").GetBoolean().ShouldBeFalse();

        // A reply reads the session; so does a read receipt.
        await ann.SendWithSidAsync("kim", "on it", s1);
        var mid = (await bo.SendAsync("@support", "still there?")).Num("mid");
        await ann.PostAsync("api/receipts", ("ref", mid.ToString()), ("state", "read"));
        rows = (await ann.GetAsync("api/support/sessions")).GetProperty("sessions").EnumerateArray().ToArray();
        rows.Select(r => r.Num("unread")).ShouldBe([0L, 0L]);
        (await zed.GetAsync("api/support/sessions?mine=true")).GetProperty("sessions").GetArrayLength().ShouldBe(0);
        var page = await ann.GetAsync("api/support/sessions?limit=1");
        (page.GetProperty("sessions").GetArrayLength(), page.GetProperty("more").GetBoolean()).ShouldBe((1, true));
        (await ann.GetAsync($"api/support/sessions?limit=1&before={s2}")).GetProperty("sessions")[0].Num("sid").ShouldBe(s1);

        var forAgent = await ann.GetAsync($"api/support/sessions/{s1}");
        forAgent.Str("contact").ShouldBe("kim@example.com");
        var forKim = await kim.GetAsync($"api/support/sessions/{s1}");
        forKim.TryGetProperty("contact", out _).ShouldBeFalse();
        (await bo.GetAsync($"api/support/sessions/{s1}", HttpStatusCode.Forbidden)).Detail().ShouldContain("'sid'");
        await ann.PostAsync($"api/support/{s2}/close");
        (await ann.GetAsync("api/support/sessions?state=closed")).GetProperty("sessions").EnumerateArray().Select(r => r.Num("sid")).ShouldBe([s2]);
        (await ann.GetAsync("api/support/sessions?state=later", HttpStatusCode.BadRequest)).Detail().ShouldContain("'state'");
    }

    [Fact]
    public async Task TheReportAndMetricsShowEachAgentsFigures()
    {
        var (server, ann, zed) = await StartWithAgentsAsync();
        var kim = await server.MintedAsync("kim");
        var bo = await server.MintedAsync("bo");
        var start = server.Time.GetUtcNow().ToUnixTimeMilliseconds();

        var s1 = (await kim.SendAsync("@support", "q1")).Num("sid");
        server.Time.Advance(TimeSpan.FromSeconds(30));
        await ann.SendWithSidAsync("kim", "a1", s1);
        server.Time.Advance(TimeSpan.FromSeconds(90));
        await ann.PostAsync($"api/support/{s1}/close");
        await kim.PostAsync($"api/support/{s1}/rating", ("score", "5"));

        await ComeOnlineAsync(ann);
        var s2 = (await bo.SendAsync("@support", "q2")).Num("sid");
        server.Time.Advance(TimeSpan.FromSeconds(10));
        await ann.SendWithSidAsync("bo", "a2", s2);
        await ann.PostAsync($"api/support/{s2}/transfer", ("to", "zed"));
        server.Time.Advance(TimeSpan.FromSeconds(50));
        await zed.PostAsync($"api/support/{s2}/close");
        await bo.PostAsync($"api/support/{s2}/rating", ("score", "2"));

        var report = await ann.GetAsync($"api/support/report?from={start}");
        var byAgent = report.GetProperty("agents").EnumerateArray().ToDictionary(a => a.Str("agent"));
        var a = byAgent["ann"];
        (a.Num("sessions"), a.GetProperty("firstResponseMedianSeconds").GetDouble(), a.GetProperty("closeMedianSeconds").GetDouble(), a.GetProperty("ratingAverage").GetDouble(), a.Num("ratings"))
            .ShouldBe((1L, 30.0, 120.0, 5.0, 1L));
        var z = byAgent["zed"];
        (z.Num("sessions"), z.GetProperty("firstResponseMedianSeconds").GetDouble(), z.GetProperty("closeMedianSeconds").GetDouble(), z.GetProperty("ratingAverage").GetDouble())
            .ShouldBe((1L, 10.0, 60.0, 2.0));
        var total = report.GetProperty("total");
        (total.Num("sessions"), total.GetProperty("firstResponseMedianSeconds").GetDouble(), total.GetProperty("closeMedianSeconds").GetDouble(), total.GetProperty("ratingAverage").GetDouble(), total.Num("ratings"))
            .ShouldBe((2L, 20.0, 90.0, 3.5, 2L));
        (await ann.GetAsync($"api/support/report?from={server.Time.GetUtcNow().ToUnixTimeMilliseconds() + 1000}")).GetProperty("total").Num("sessions").ShouldBe(0);
        (await ann.JsonpAsync("api/support/report")).GetProperty("total").Num("sessions").ShouldBe(2);
        (await kim.GetAsync("api/support/report", HttpStatusCode.Forbidden)).Detail().ShouldContain("agents");
        (await ann.GetAsync("api/support/report?from=x", HttpStatusCode.BadRequest)).Detail().ShouldContain("'from'");

        var metrics = await server.Http.GetStringAsync("metrics");
        metrics.ShouldContain("cometchat_support_sessions{agent=\"ann\"} 1\n");
        metrics.ShouldContain("cometchat_support_sessions 2\n");
        metrics.ShouldContain("cometchat_support_first_response_median_seconds{agent=\"zed\"} 10\n");
        metrics.ShouldContain("cometchat_support_close_median_seconds 90\n");
        metrics.ShouldContain("cometchat_support_rating_average 3.5\n");
        metrics.ShouldContain("cometchat_support_queue_length 0\n");
    }

    [Fact]
    public async Task AnAgentReadsTheQueuedBacklogAndAcknowledgesIt()
    {
        var server = await StartAsync(new() { ["Chat:Support:Routing"] = "manual" });
        var ann = await server.MintedAsync("ann");
        var kim = await server.MintedAsync("kim");
        var q1 = await kim.SendAsync("@support", "where is my order?");
        var sid = q1.Num("sid");
        var q2 = await kim.SendAsync("@support", "it was due monday");
        await ann.PostAsync($"api/support/{sid}/claim");
        // The backlog is in the session's transcript for the new agent (cometchat.js shows it at once), and the
        // agent may mark it read, though it never was in their feed.
        var thread = await ann.GetAsync($"api/support/{sid}/transcript");
        thread.GetProperty("messages").EnumerateArray().Select(m => m.Str("body")).ShouldBe(["offline: no agent is online", "where is my order?", "it was due monday", "assigned to ann"]);
        await ann.PostAsync("api/receipts", ("ref", q2.Num("mid").ToString()), ("state", "read"));
        (await ann.GetAsync("api/support/sessions")).GetProperty("sessions")[0].Num("unread").ShouldBe(0);
        (await kim.FeedAsync(q2.Num("mid"))).ShouldContain(m => m.Str("kind") == "receipt" && m.Num("ref") == q2.Num("mid"));
    }

    [Fact]
    public async Task ContextThatBreaksItsLimitsIsRefusedNamingIt()
    {
        var server = await StartAsync();
        var kim = await server.MintedAsync("kim");
        (await kim.PostAsync("api/messages", System.Net.HttpStatusCode.BadRequest, ("to", "@support"), ("body", "hi"), ("page", new string('p', 513)))).Detail().ShouldContain("'page'");
        var many = Enumerable.Range(0, 21).ToDictionary(i => "f" + i, i => (object)"x");
        var crowded = await server.MintedAsync("crowded", many);
        (await crowded.PostAsync("api/messages", System.Net.HttpStatusCode.BadRequest, ("to", "@support"), ("body", "hi"))).Detail().ShouldContain("'ctx'");
        var nested = await server.MintedAsync("nested", new Dictionary<string, object> { ["order"] = new[] { 1, 2 } });
        (await nested.PostAsync("api/messages", System.Net.HttpStatusCode.BadRequest, ("to", "@support"), ("body", "hi"))).Detail().ShouldContain("'ctx'");
        // Nothing was stored: no session was opened.
        (await kim.GetAsync("api/support/mine")).Str("state").ShouldBe("none");
        // Messages to anyone but the desk do not look at the context at all.
        await server.MintedAsync("bob");
        await crowded.SendAsync("bob", "a direct message");
    }

    [Fact]
    public async Task EveryNewGetAnswersJsonAndJsonp()
    {
        var server = await StartAsync();
        var ann = await server.MintedAsync("ann");
        await ComeOnlineAsync(ann);
        var kim = await server.MintedAsync("kim");
        var sid = (await kim.SendAsync("@support", "hi")).Num("sid");
        await ann.PostAsync($"api/support/{sid}/close");
        var asAgent = new[]
        {
            "api/support/queue", "api/support/sessions", $"api/support/sessions/{sid}", "api/support/agents", "api/support/canned",
            "api/support/report", $"api/support/{sid}/transcript",
        };
        foreach (var path in asAgent)
        {
            var json = await ann.GetAsync(path);
            var jsonp = await ann.JsonpAsync(path, "desk.cb");
            jsonp.ToString().ShouldBe(json.ToString(), path);
        }
        var mine = await kim.GetAsync("api/support/mine");
        (await kim.JsonpAsync("api/support/mine")).ToString().ShouldBe(mine.ToString());
        (mine.Num("sid"), mine.Str("state")).ShouldBe((sid, "closed"));
        var none = await (await server.MintedAsync("newbie")).GetAsync("api/support/mine");
        (none.Str("state"), none.GetProperty("offline").GetBoolean()).ShouldBe(("none", false));
        // Errors travel inside JSONP with status 200.
        using var res = await server.Http.GetAsync($"api/support/queue?token={kim.Token}&callback=cb");
        res.StatusCode.ShouldBe(HttpStatusCode.OK);
        ChatServer.ParseJsonp(await res.Content.ReadAsStringAsync(), "cb").GetProperty("error").Num("status").ShouldBe(403);
    }
}
