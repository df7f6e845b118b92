using System.Net;
using CometChat.Tests.Infrastructure;

namespace CometChat.Tests.Features;

public class RoomTests : IAsyncLifetime
{
    /// <summary>Extra settings of a subclass that runs these tests on another backend (see Scaleout/PostgresSuiteTests.cs).</summary>
    protected virtual Dictionary<string, string?> Backend => [];

    private ChatServer _server = null!;
    private TestUser _alice = null!, _bob = null!, _carol = null!;

    public async Task InitializeAsync()
    {
        _server = await ChatServer.StartAsync(Backend);
        _alice = await _server.LoginAsync("alice");
        _bob = await _server.LoginAsync("bob");
        _carol = await _server.LoginAsync("carol");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task RoomsArePagedAndMineListsOnlyTheCallersRooms()
    {
        var a = await _server.LoginAsync("pager");
        foreach (var r in new[] { "r5", "r1", "r4", "r2", "r3" }) await a.PostAsync($"api/rooms/{r}/join");
        await (await _server.LoginAsync("pager2")).PostAsync("api/rooms/other/join");

        var first = await a.GetAsync("api/rooms?limit=2");
        first.GetProperty("rooms").EnumerateArray().Select(r => r.Str("room")).ShouldBe(["#other", "#r1"]);
        (first.GetProperty("more").GetBoolean(), first.Str("after")).ShouldBe((true, "r1"));
        var next = await a.JsonpAsync("api/rooms?limit=2&after=r1");
        next.GetProperty("rooms").EnumerateArray().Select(r => r.Str("room")).ShouldBe(["#r2", "#r3"]);
        var last = await a.GetAsync("api/rooms?limit=2&after=%23r3");
        last.GetProperty("rooms").EnumerateArray().Select(r => r.Str("room")).ShouldBe(["#r4", "#r5"]);
        last.GetProperty("more").GetBoolean().ShouldBeFalse();
        last.TryGetProperty("after", out _).ShouldBeFalse();

        var mine = await a.GetAsync("api/rooms?mine=true&limit=500");
        mine.GetProperty("rooms").EnumerateArray().Select(r => (r.Str("room"), r.Num("members"))).ShouldBe(
            [("#r1", 1), ("#r2", 1), ("#r3", 1), ("#r4", 1), ("#r5", 1)]);
        (await a.GetAsync("api/rooms?limit=501", HttpStatusCode.BadRequest)).Detail().ShouldContain("'limit'");
        (await a.GetAsync("api/rooms?mine=perhaps", HttpStatusCode.BadRequest)).Detail().ShouldContain("'mine'");
    }

    [Fact]
    public async Task JoinCreatesTheRoomAndEachChangeIsAMessageToTheMembers()
    {
        var joined = await _alice.PostAsync("api/rooms/lobby/join");
        joined.Str("room").ShouldBe("#lobby");
        joined.GetProperty("member").GetBoolean().ShouldBeTrue();
        joined.GetProperty("changed").GetBoolean().ShouldBeTrue();
        joined.Num("members").ShouldBe(1);
        var bobJoin = (await _bob.PostAsync("api/rooms/%23lobby/join")).Num("mid");

        var aliceFeed = await _alice.FeedAsync(_alice.Cursor);
        aliceFeed.Select(m => m.Num("mid")).ShouldBe([joined.Num("mid"), bobJoin]);
        aliceFeed[1].Str("kind").ShouldBe("join");
        aliceFeed[1].Str("from").ShouldBe("bob");
        aliceFeed[1].Str("to").ShouldBe("#lobby");
        (await _bob.FeedAsync(_bob.Cursor)).Select(m => m.Num("mid")).ShouldBe([bobJoin]); // the joiner gets their own join

        var left = await _bob.PostAsync("api/rooms/lobby/leave");
        left.GetProperty("member").GetBoolean().ShouldBeFalse();
        left.Num("members").ShouldBe(1);
        (await _bob.FeedAsync(bobJoin)).Single().Str("kind").ShouldBe("leave"); // the leaver gets their own leave
        (await _alice.FeedAsync(bobJoin)).Single().Num("mid").ShouldBe(left.Num("mid"));

        await _carol.PostAsync("api/rooms/annex/join");
        var rooms = await _carol.GetAsync("api/rooms");
        rooms.GetProperty("rooms").EnumerateArray().Select(r => $"{r.Str("room")}={r.Num("members")}").ShouldBe(["#annex=1", "#lobby=1"]);
        (await _carol.JsonpAsync("api/rooms")).GetProperty("rooms").GetArrayLength().ShouldBe(2);
    }

    [Fact]
    public async Task OneRoomListsItsMembersWithTheirPresence()
    {
        await _alice.PostAsync("api/rooms/lobby/join");
        await _bob.PostAsync("api/rooms/lobby/join");
        await _alice.GetAsync($"api/poll?since={_alice.Cursor}&timeout=0"); // alice was connected a moment ago
        var room = await _carol.GetAsync("api/rooms/lobby");
        room.Str("room").ShouldBe("#lobby");
        var members = room.GetProperty("members").EnumerateArray().ToDictionary(m => m.Str("user"));
        members.Keys.ShouldBe(["alice", "bob"]);
        members["alice"].GetProperty("online").GetBoolean().ShouldBeTrue();
        members["alice"].Num("lastSeen").ShouldBe(_server.Time.GetUtcNow().ToUnixTimeMilliseconds());
        members["bob"].GetProperty("online").GetBoolean().ShouldBeFalse(); // never connected since the server started
        members["bob"].GetProperty("lastSeen").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);

        var seen = _server.Time.GetUtcNow().ToUnixTimeMilliseconds();
        _server.Time.Advance(TimeSpan.FromSeconds(11)); // past Chat:Presence:GraceSeconds (10)
        var later = (await _carol.JsonpAsync("api/rooms/lobby")).GetProperty("members")[0];
        later.GetProperty("online").GetBoolean().ShouldBeFalse();
        later.Num("lastSeen").ShouldBe(seen);
    }

    [Fact]
    public async Task JoiningTwiceAndLeavingWhenNotAMemberChangeNothing()
    {
        var first = await _alice.PostAsync("api/rooms/lobby/join");
        var again = await _alice.PostAsync("api/rooms/lobby/join");
        again.GetProperty("changed").GetBoolean().ShouldBeFalse();
        again.GetProperty("member").GetBoolean().ShouldBeTrue();
        again.TryGetProperty("mid", out _).ShouldBeFalse();
        again.Num("members").ShouldBe(1);

        var notIn = await _bob.PostAsync("api/rooms/lobby/leave");
        notIn.GetProperty("changed").GetBoolean().ShouldBeFalse();
        notIn.GetProperty("member").GetBoolean().ShouldBeFalse();
        (await _alice.FeedAsync(first.Num("mid"))).ShouldBeEmpty();

        (await _bob.PostAsync("api/rooms/nowhere/leave", HttpStatusCode.NotFound)).Detail().ShouldContain("'room'");
        (await _bob.PostAsync("api/rooms/bad%20name/join", HttpStatusCode.BadRequest)).Detail().ShouldContain("'room'");
        (await _bob.GetAsync("api/rooms/nowhere", HttpStatusCode.NotFound)).Detail().ShouldContain("'room'");
        (await _bob.GetAsync("api/join", HttpStatusCode.BadRequest)).Detail().ShouldContain("'room'");
    }

    [Fact]
    public async Task JoinAndLeaveOverJsonp()
    {
        var joined = await _bob.JsonpAsync("api/join?room=%23lobby");
        joined.GetProperty("changed").GetBoolean().ShouldBeTrue();
        (await _bob.JsonpAsync("api/join?room=lobby")).GetProperty("changed").GetBoolean().ShouldBeFalse();
        (await _bob.JsonpAsync("api/leave?room=lobby")).GetProperty("member").GetBoolean().ShouldBeFalse();
        var error = (await _bob.JsonpAsync("api/leave?room=nowhere")).GetProperty("error");
        error.Num("status").ShouldBe(404);
        error.Str("message").ShouldContain("'room'");
        (await _bob.JsonpAsync("api/rooms/lobby")).GetProperty("members").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task AMemberReceivesRoomMessagesSentWhileAMemberOnly()
    {
        await _alice.PostAsync("api/rooms/lobby/join");
        await _alice.SendAsync("#lobby", "before bob");
        var bobJoin = (await _bob.PostAsync("api/rooms/lobby/join")).Num("mid");
        var during = (await _alice.SendAsync("#lobby", "while bob is here")).Num("mid");
        var bobLeave = (await _bob.PostAsync("api/rooms/lobby/leave")).Num("mid");
        var after = (await _alice.SendAsync("#lobby", "after bob")).Num("mid");

        var bobFeed = await _bob.FeedAsync(_bob.Cursor);
        bobFeed.Select(m => m.Num("mid")).ShouldBe([bobJoin, during, bobLeave]);
        bobFeed[1].Str("to").ShouldBe("#lobby");
        bobFeed[1].Str("from").ShouldBe("alice");
        (await _alice.FeedAsync(bobLeave)).Single().Num("mid").ShouldBe(after);

        // Sending to a room you left, or never joined, is refused and stores nothing.
        (await _bob.PostAsync("api/messages", HttpStatusCode.Forbidden, ("to", "#lobby"), ("body", "let me back"))).Detail().ShouldContain("'to'");
        (await _carol.PostAsync("api/messages", HttpStatusCode.Forbidden, ("to", "#lobby"), ("body", "hi"))).Detail().ShouldContain("'to'");
        (await _carol.PostAsync("api/messages", HttpStatusCode.NotFound, ("to", "#nowhere"), ("body", "hi"))).Detail().ShouldContain("'to'");
        (await _alice.PostAsync("api/messages", HttpStatusCode.BadRequest, ("to", "#lobby"), ("body", "hi"), ("sid", "1"))).Detail().ShouldContain("'sid'");
        var jsonp = await _carol.JsonpAsync("api/send?to=%23lobby&body=hi");
        jsonp.GetProperty("error").Num("status").ShouldBe(403);
        (await _alice.FeedAsync(after)).ShouldBeEmpty();
    }

    [Fact]
    public async Task ReceiptsForRoomMessagesComeOnlyFromMembersWhoReceivedThem()
    {
        await _alice.PostAsync("api/rooms/lobby/join");
        await _bob.PostAsync("api/rooms/lobby/join");
        var mid = (await _alice.SendAsync("#lobby", "read me")).Num("mid");
        await _carol.PostAsync("api/rooms/lobby/join"); // joined after: never received it

        var ack = await _bob.PostAsync("api/receipts", ("ref", mid.ToString()), ("state", "read"));
        var receipt = (await _alice.FeedAsync(mid)).Last();
        receipt.Num("mid").ShouldBe(ack.Num("mid"));
        receipt.Str("kind").ShouldBe("receipt");
        receipt.Num("ref").ShouldBe(mid);
        receipt.Str("to").ShouldBe("alice");

        (await _carol.PostAsync("api/receipts", HttpStatusCode.NotFound, ("ref", mid.ToString()), ("state", "read"))).Detail().ShouldContain("'ref'");
        var outsider = await _server.LoginAsync("dave");
        (await outsider.JsonpAsync($"api/receipt?ref={mid}&state=delivered")).GetProperty("error").Num("status").ShouldBe(404);
        // A receipt is between the two: the other members and the room's history never see it.
        (await _carol.FeedAsync(ack.Num("mid") - 1)).ShouldBeEmpty();
        (await _bob.GetAsync("api/history?with=%23lobby")).GetProperty("messages").EnumerateArray()
            .ShouldNotContain(m => m.Str("kind") == "receipt");
    }

    [Fact]
    public async Task RoomTypingReachesOpenMembersAndNeverHistoryNorCursors()
    {
        await _alice.PostAsync("api/rooms/lobby/join");
        var head = (await _bob.PostAsync("api/rooms/lobby/join")).Num("mid");
        var poll = _bob.GetAsync($"api/poll?since={head}");
        await _server.WaitForListenersAsync(s => s.ParkedPolls >= 1);
        await _alice.PostAsync("api/typing", ("to", "#lobby"));
        var page = await poll.DefaultTimeout();
        page.GetProperty("messages").GetArrayLength().ShouldBe(0);
        page.Num("cursor").ShouldBe(head);
        var e = page.GetProperty("events").EnumerateArray().Single();
        (e.Str("kind"), e.Str("from"), e.Str("to")).ShouldBe(("typing", "alice", "#lobby"));

        (await _carol.PostAsync("api/typing", HttpStatusCode.Forbidden, ("to", "#lobby"))).Detail().ShouldContain("'to'");
        (await _bob.GetAsync("api/me")).Num("cursor").ShouldBe(head);
        var history = await _bob.GetAsync("api/history?with=%23lobby");
        history.GetProperty("messages").EnumerateArray().Select(m => m.Str("kind")).ShouldBe(["join", "join"]);
    }
}
