using System.Globalization;
using System.Net;
using System.Text.Json;
using CometChat.Tests.Infrastructure;

namespace CometChat.Tests.Features;

public class SupportDeskTests : IAsyncLifetime
{
    /// <summary>Extra settings of a subclass that runs these tests on another backend (see Scaleout/PostgresSuiteTests.cs).</summary>
    protected virtual Dictionary<string, string?> Backend => [];

    private ChatServer _server = null!;
    private TestUser _ann = null!, _zed = null!, _c1 = null!, _c2 = null!, _c3 = null!;

    public async Task InitializeAsync()
    {
        _server = await ChatServer.StartAsync(new Dictionary<string, string?>
        {
            ["Chat:Support:Agents:0"] = "zed", // listed out of name order: ties go by name, not by list position
            ["Chat:Support:Agents:1"] = "ann",
        }.With(Backend));
        // Agents' names are reserved: the operator's minted tokens sign them in.
        _ann = await _server.MintedUserAsync("ann");
        _zed = await _server.MintedUserAsync("zed");
        _c1 = await _server.LoginAsync("c1");
        _c2 = await _server.LoginAsync("c2");
        _c3 = await _server.LoginAsync("c3");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    /// <summary>A short poll: the agent is seen, so online for the grace period (the fake clock stands still).</summary>
    private static Task ComeOnlineAsync(TestUser agent) => agent.GetAsync("api/messages");

    private static JsonElement Session(JsonElement[] feed) => feed.Single(m => m.Str("kind") == "session");

    [Fact]
    public async Task TheLeastLoadedOnlineAgentGetsEachNewSession()
    {
        await ComeOnlineAsync(_ann);
        await ComeOnlineAsync(_zed);

        var first = await _c1.SendAsync("@support", "my order is late");
        var sid1 = first.Num("sid");
        var c1Feed = await _c1.FeedAsync(_c1.Cursor);
        c1Feed.Length.ShouldBe(2);
        var opened = c1Feed[0];
        (opened.Str("kind"), opened.Str("from"), opened.Str("to"), opened.Str("body")).ShouldBe(("session", "@support", "c1", "assigned to ann"));
        opened.Num("sid").ShouldBe(sid1);
        (c1Feed[1].Str("to"), c1Feed[1].Num("sid"), c1Feed[1].Num("mid")).ShouldBe(("@support", sid1, first.Num("mid")));
        (await _ann.FeedAsync(_ann.Cursor)).Select(m => m.Num("mid")).ShouldBe(c1Feed.Select(m => m.Num("mid")));

        // ann has one session, zed none: zed. Then 1-1, a tie: ann by name.
        var sid2 = (await _c2.SendAsync("@support", "wrong size")).Num("sid");
        Session(await _zed.FeedAsync(_zed.Cursor)).Num("sid").ShouldBe(sid2);
        await _c1.PostAsync($"api/support/{sid1}/close");
        var sid3 = (await _c3.SendAsync("@support", "refund?")).Num("sid"); // ann 0, zed 1: ann, though zed is listed first
        Session(await _c3.FeedAsync(_c3.Cursor)).Str("body").ShouldBe("assigned to ann");
        new[] { sid1, sid2, sid3 }.Distinct().Count().ShouldBe(3);

        // A customer's later messages continue their open session and reach only its agent.
        var more = await _c2.SendAsync("@support", "size 42 please");
        more.Num("sid").ShouldBe(sid2);
        (await _zed.FeedAsync(more.Num("mid") - 1)).Single().Str("body").ShouldBe("size 42 please");
        (await _ann.FeedAsync(more.Num("mid") - 1)).ShouldBeEmpty();
    }

    [Fact]
    public async Task SessionsQueueUntilAnAgentComesOnlineThenGoOldestFirst()
    {
        var hello = await _c1.SendAsync("@support", "hello?");
        var sid1 = hello.Num("sid");
        var anyone = await _c1.SendAsync("@support", "anyone?");
        anyone.Num("sid").ShouldBe(sid1);
        var sid2 = (await _c2.SendAsync("@support", "me too")).Num("sid");
        var queued = await _c1.FeedAsync(_c1.Cursor);
        // No agent is online: the desk is offline, and says so once (API.md §7); the session waits in the queue.
        queued.Select(m => m.Str("body")).ShouldBe(["offline: no agent is online", "hello?", "anyone?"]);
        queued.ShouldAllBe(m => m.Num("sid") == sid1);

        // zed connects (a long poll): the queue is assigned, oldest first, and the parked poll wakes with it.
        var page = await _zed.GetAsync($"api/poll?since={_zed.Cursor}").DefaultTimeout();
        var assigned = page.GetProperty("messages").EnumerateArray().ToArray();
        if (assigned.Length < 2) assigned = [.. assigned, .. await _zed.FeedAsync(page.Num("cursor"))];
        assigned.Select(m => (m.Str("body"), m.Str("to"), m.Num("sid"))).ShouldBe([("assigned to zed", "c1", sid1), ("assigned to zed", "c2", sid2)]);
        Session(await _c1.FeedAsync(anyone.Num("mid"))).Str("body").ShouldBe("assigned to zed");

        // The agent reads what was written while queued in the session's thread.
        var thread = await _zed.GetAsync($"api/history?with=@support&sid={sid1}");
        thread.GetProperty("messages").EnumerateArray().Select(m => m.Str("body")).ShouldBe(["offline: no agent is online", "hello?", "anyone?", "assigned to zed"]);
        (await _ann.GetAsync($"api/history?with=@support&sid={sid1}", HttpStatusCode.Forbidden)).Detail().ShouldContain("'sid'");
        (await _c1.GetAsync("api/history?with=@support")).GetProperty("messages").GetArrayLength().ShouldBe(4);

        // From now on the two sides talk through the session.
        var reply = await _zed.SendWithSidAsync("c1", "hi, zed here", sid1);
        var got = (await _c1.FeedAsync(reply.Num("mid") - 1)).Single();
        (got.Str("from"), got.Str("to"), got.Num("sid")).ShouldBe(("zed", "c1", sid1));
        var back = await _c1.SendAsync("@support", "thanks");
        (await _zed.FeedAsync(reply.Num("mid"))).Single().Num("mid").ShouldBe(back.Num("mid"));
    }

    [Fact]
    public async Task TransferMovesTheSessionAndCloseEndsIt()
    {
        await ComeOnlineAsync(_ann);
        var sid = (await _c1.SendAsync("@support", "help")).Num("sid");
        var mark = (await _ann.SendWithSidAsync("c1", "one moment", sid)).Num("mid");

        var moved = await _ann.PostAsync($"api/support/{sid}/transfer", ("to", "zed"));
        (moved.Num("sid"), moved.Str("agent"), moved.Str("state"), moved.GetProperty("changed").GetBoolean()).ShouldBe((sid, "zed", "assigned", true));
        foreach (var side in new[] { _c1, _ann, _zed })
        {
            var note = (await side.FeedAsync(mark)).Single();
            (note.Num("mid"), note.Str("kind"), note.Str("body"), note.Num("sid")).ShouldBe((moved.Num("mid"), "session", "transferred to zed", sid));
        }
        (await _ann.SendWithSidAsync("c1", "still me?", sid, HttpStatusCode.Forbidden)).Detail().ShouldContain("'sid'");
        var zedReply = await _zed.SendWithSidAsync("c1", "zed now", sid);
        var next = await _c1.SendAsync("@support", "ok zed");
        (await _zed.FeedAsync(moved.Num("mid"))).Select(m => m.Num("mid")).ShouldBe([zedReply.Num("mid"), next.Num("mid")]);
        (await _ann.FeedAsync(moved.Num("mid"))).ShouldBeEmpty();

        var closed = await _c1.JsonpAsync($"api/support/close?sid={sid}");
        (closed.Str("state"), closed.GetProperty("changed").GetBoolean()).ShouldBe(("closed", true));
        Session(await _zed.FeedAsync(next.Num("mid"))).Str("body").ShouldBe("closed by c1");
        (await _zed.PostAsync($"api/support/{sid}/close")).GetProperty("changed").GetBoolean().ShouldBeFalse(); // already closed
        (await _zed.SendWithSidAsync("c1", "hello?", sid, HttpStatusCode.Forbidden)).Detail().ShouldContain("'sid'");
        (await _c1.SendWithSidAsync("@support", "again", sid, HttpStatusCode.Forbidden)).Detail().ShouldContain("'sid'");

        // Writing to @support again opens a new session.
        var fresh = await _c1.SendAsync("@support", "one more thing");
        fresh.Num("sid").ShouldNotBe(sid);
        Session(await _c1.FeedAsync(closed.Num("mid"))).Str("body").ShouldBe("assigned to ann");
    }

    [Fact]
    public async Task EveryMessageOfASessionCarriesItsSid()
    {
        await ComeOnlineAsync(_zed);
        var sid = (await _c1.SendAsync("@support", "a")).Num("sid");
        var r = await _zed.SendWithSidAsync("c1", "b", sid);
        await _c1.PostAsync("api/receipts", ("ref", r.Num("mid").ToString()), ("state", "read"));
        await _c1.SendAsync("@support", "c");
        await _zed.JsonpAsync($"api/support/transfer?sid={sid}&to=ann");
        await _ann.PostAsync($"api/support/{sid}/close");
        var everything = (await _c1.FeedAsync(_c1.Cursor)).Concat(await _zed.FeedAsync(_zed.Cursor)).Concat(await _ann.FeedAsync(_ann.Cursor)).ToArray();
        everything.Length.ShouldBe(15); // c1 all 7 (the receipt too: its sender); zed 6, not the close; ann the last 2
        everything.ShouldAllBe(m => m.GetProperty("sid").GetInt64() == sid);
        var thread = await _c1.GetAsync("api/history?with=@support");
        thread.GetProperty("messages").EnumerateArray().Select(m => m.Str("body"))
            .ShouldBe(["assigned to zed", "a", "b", "c", "transferred to ann", "closed by ann"]);
        thread.GetProperty("messages").EnumerateArray().ShouldAllBe(m => m.GetProperty("sid").GetInt64() == sid);
    }

    [Fact]
    public async Task AnAgentReadsOnlyTheSessionTheyWereGivenNotTheCustomersLaterOnes()
    {
        await ComeOnlineAsync(_ann);
        var first = (await _c1.SendAsync("@support", "session one: card 4111")).Num("sid");
        await _c1.PostAsync($"api/support/{first}/close");
        _server.Time.Advance(TimeSpan.FromSeconds(11)); // ann's presence lapses
        await ComeOnlineAsync(_zed);
        var second = (await _c1.SendAsync("@support", "session two: new card 5500")).Num("sid");
        Session(await _zed.FeedAsync(_zed.Cursor)).Num("sid").ShouldBe(second);

        // ann's old session reads as itself only, never the customer's later session with zed.
        var old = (await _ann.GetAsync($"api/history?with=@support&sid={first}")).GetProperty("messages").EnumerateArray().ToArray();
        old.Select(m => m.Str("body")).ShouldBe(["assigned to ann", "session one: card 4111", "closed by c1"]);
        old.ShouldAllBe(m => m.Num("sid") == first);
        (await _ann.GetAsync($"api/history?with=@support&sid={second}", HttpStatusCode.Forbidden)).Detail().ShouldContain("'sid'");
        (await _zed.GetAsync($"api/history?with=@support&sid={second}")).GetProperty("messages").EnumerateArray()
            .Select(m => m.Str("body")).ShouldBe(["assigned to zed", "session two: new card 5500"]);
        // The customer still reads their whole thread.
        (await _c1.GetAsync("api/history?with=@support")).GetProperty("messages").GetArrayLength().ShouldBe(5);
    }

    [Fact]
    public async Task ReadMarkersStayOutOfASessionsHistory()
    {
        await ComeOnlineAsync(_ann);
        var sent = await _c1.SendAsync("@support", "where is my parcel?");
        var (sid, upTo) = (sent.Num("sid").ToString(CultureInfo.InvariantCulture), sent.Num("mid").ToString(CultureInfo.InvariantCulture));
        await _ann.PostAsync("api/read", ("with", "@support"), ("sid", sid), ("upTo", upTo));
        await _c1.PostAsync("api/read", ("with", "@support"), ("upTo", upTo));

        var agentView = (await _ann.GetAsync($"api/history?with=@support&sid={sid}")).GetProperty("messages").EnumerateArray().ToArray();
        agentView.Select(m => m.Str("body")).ShouldBe(["assigned to ann", "where is my parcel?"]);
        (await _c1.GetAsync("api/history?with=@support")).GetProperty("messages").EnumerateArray()
            .Select(m => m.Str("kind")).ShouldNotContain("read");
    }

    [Fact]
    public async Task MisuseIsRefusedNamingTheParameter()
    {
        await ComeOnlineAsync(_ann);
        var sid = (await _c1.SendAsync("@support", "help")).Num("sid");

        (await _ann.PostAsync("api/messages", HttpStatusCode.Forbidden, ("to", "@support"), ("body", "x"))).Detail().ShouldContain("'to'");
        (await _c1.PostAsync("api/messages", HttpStatusCode.NotFound, ("to", "@sales"), ("body", "x"))).Detail().ShouldContain("'to'");
        (await _c2.SendWithSidAsync("ann", "I am no agent", sid, HttpStatusCode.Forbidden)).Detail().ShouldContain("'sid'");
        (await _c2.SendWithSidAsync("@support", "not my session", sid, HttpStatusCode.Forbidden)).Detail().ShouldContain("'sid'");
        (await _ann.SendWithSidAsync("c1", "no such session", 999, HttpStatusCode.NotFound)).Detail().ShouldContain("'sid'");
        (await _ann.SendWithSidAsync("c2", "wrong customer", sid, HttpStatusCode.BadRequest)).Detail().ShouldContain("'to'");
        (await _zed.SendWithSidAsync("c1", "not assigned to me", sid, HttpStatusCode.Forbidden)).Detail().ShouldContain("'sid'");
        (await _ann.PostAsync("api/messages", HttpStatusCode.BadRequest, ("to", "c1"), ("body", "x"), ("sid", "abc"))).Detail().ShouldContain("'sid'");

        (await _ann.PostAsync($"api/support/{sid}/transfer", HttpStatusCode.BadRequest, ("to", "c2"))).Detail().ShouldContain("'to'");
        (await _ann.PostAsync($"api/support/{sid}/transfer", HttpStatusCode.BadRequest)).Detail().ShouldContain("'to'");
        (await _ann.PostAsync($"api/support/{sid}/transfer", HttpStatusCode.BadRequest, ("to", "ann"))).Detail().ShouldContain("'to'");
        (await _zed.PostAsync($"api/support/{sid}/transfer", HttpStatusCode.Forbidden, ("to", "zed"))).Detail().ShouldContain("'sid'");
        (await _c1.PostAsync($"api/support/{sid}/transfer", HttpStatusCode.Forbidden, ("to", "zed"))).Detail().ShouldContain("'sid'");
        (await _ann.PostAsync("api/support/999/transfer", HttpStatusCode.NotFound, ("to", "zed"))).Detail().ShouldContain("'sid'");
        (await _ann.PostAsync("api/support/x/close", HttpStatusCode.BadRequest)).Detail().ShouldContain("'sid'");
        (await _c2.PostAsync($"api/support/{sid}/close", HttpStatusCode.Forbidden)).Detail().ShouldContain("'sid'");
        (await _c2.JsonpAsync("api/support/close")).GetProperty("error").Str("message").ShouldContain("'sid'");
        (await _ann.GetAsync("api/history?with=@support", HttpStatusCode.BadRequest)).Detail().ShouldContain("'sid'");
        (await _c2.GetAsync($"api/history?with=@support&sid={sid}", HttpStatusCode.Forbidden)).Detail().ShouldContain("'sid'");

        // None of that stored anything.
        (await _c1.FeedAsync(_c1.Cursor)).Length.ShouldBe(2);
        (await _c2.FeedAsync(_c2.Cursor)).ShouldBeEmpty();
    }
}
