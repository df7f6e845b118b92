using System.Net;
using CometChat.Tests.Features;
using CometChat.Tests.Infrastructure;

namespace CometChat.Tests.Im;

/// <summary>GET /api/conversations and read markers (API.md §8): unread counts from the store, agreeing everywhere.</summary>
public class ConversationTests : ImServerTests
{
    [Fact]
    public async Task ConversationsComeMostRecentFirstWithUnreadCounts()
    {
        await Bob.PostAsync("api/rooms/lobby/join");
        await Alice.PostAsync("api/rooms/lobby/join");
        await Alice.SendAsync("bob", "one");
        var two = (await Alice.SendAsync("bob", "two")).Num("mid");
        await Alice.SendAsync("#lobby", "room one");
        var carol = (await Carol.SendAsync("bob", "from carol")).Num("mid");

        var list = await Bob.ConversationsAsync();
        list.Select(c => (c.Str("with"), c.Str("kind"), c.Num("unread"))).ShouldBe([("carol", "user", 1L), ("#lobby", "room", 1L), ("alice", "user", 2L)]);
        list[0].GetProperty("last").Num("mid").ShouldBe(carol);
        list[2].GetProperty("last").Str("body").ShouldBe("two");
        list[2].Num("readUpTo").ShouldBe(0);

        // Writing in a conversation means having read it: the sender's own marker moves to their message.
        var reply = (await Bob.SendAsync("alice", "hi")).Num("mid");
        (await Bob.UnreadAsync("alice")).ShouldBe((0L, reply));
        (await Alice.UnreadAsync("bob")).ShouldBe((1L, two));

        // Pages: most recent first, 'before' for the next.
        var page = await Bob.GetAsync("api/conversations?limit=2");
        page.GetProperty("conversations").GetArrayLength().ShouldBe(2);
        page.GetProperty("more").GetBoolean().ShouldBeTrue();
        var rest = await Bob.GetAsync($"api/conversations?limit=2&before={page.Num("before")}");
        rest.GetProperty("conversations").EnumerateArray().Select(c => c.Str("with")).ShouldBe(["#lobby"]);
        rest.GetProperty("more").GetBoolean().ShouldBeFalse();

        var jsonp = await Bob.JsonpAsync("api/conversations");
        jsonp.GetProperty("conversations")[0].Str("with").ShouldBe("alice");
    }

    [Fact]
    public async Task RoomsCountFromTheJoinAndALeftRoomIsNotListed()
    {
        await Alice.PostAsync("api/rooms/lobby/join");
        await Alice.SendAsync("#lobby", "before bob");
        var join = (await Bob.PostAsync("api/rooms/lobby/join")).Num("mid");
        (await Bob.UnreadAsync("#lobby")).ShouldBe((0L, join));
        await Alice.SendAsync("#lobby", "after bob");
        (await Bob.UnreadAsync("#lobby")).ShouldBe((1L, join));
        await Bob.PostAsync("api/rooms/lobby/leave");
        (await Bob.ConversationsAsync()).ShouldBeEmpty();
        (await Bob.PostAsync("api/read", HttpStatusCode.Forbidden, ("with", "#lobby"), ("upTo", join.ToString()))).Detail().ShouldContain("members only");
    }

    [Fact]
    public async Task ReadMarkersReachEveryTabOnEveryTransportAndNeverMoveBack()
    {
        var m1 = (await Alice.SendAsync("bob", "one")).Num("mid");
        var m2 = (await Alice.SendAsync("bob", "two")).Num("mid");
        var m3 = (await Alice.SendAsync("bob", "three")).Num("mid");
        var ws = (FeedReader.WebSocketReader)await FeedReader.OpenAsync(Bob, "ws", m3);

        // Tab 2 (JSONP) reads up to m2: the WebSocket tab gets the read marker, and both lists say one unread.
        var read = await Bob.JsonpAsync($"api/markread?with=alice&upTo={m2}");
        (read.Str("with"), read.Num("readUpTo"), read.Num("unread"), read.GetProperty("changed").GetBoolean()).ShouldBe(("alice", m2, 1L, true));
        var marker = await ws.NextMessageAsync();
        (marker.Json!.Value.Str("kind"), marker.Json!.Value.Str("from"), marker.Json!.Value.Str("to"), marker.Body, marker.Json!.Value.Num("ref"))
            .ShouldBe(("read", "bob", "bob", "alice", m2));
        marker.Mid.ShouldBe(read.Num("mid"));
        (await Bob.UnreadAsync("alice")).ShouldBe((1L, m2));
        (await Bob.JsonpAsync("api/conversations")).GetProperty("conversations")[0].Num("unread").ShouldBe(1);

        // Tab 1 (WebSocket) reads the rest: the JSONP tab's long poll gets the marker.
        var poll = Bob.JsonpPollAsync(marker.Mid!.Value);
        await ws.SendAsync($$"""{"op":"read","id":"r1","with":"alice","upTo":{{m3}}}""");
        (await ws.NextReplyAsync()).Num("unread").ShouldBe(0);
        var polled = (await poll.DefaultTimeout()).GetProperty("messages")[0];
        (polled.Str("kind"), polled.Num("ref")).ShouldBe(("read", m3));
        (await Bob.UnreadAsync("alice")).ShouldBe((0L, m3));

        // Never back: an older upTo changes nothing and stores nothing.
        var back = await Bob.PostAsync("api/read", ("with", "alice"), ("upTo", m1.ToString()));
        (back.Num("readUpTo"), back.GetProperty("changed").GetBoolean(), back.TryGetProperty("mid", out _)).ShouldBe((m3, false, false));

        // After a restart the counts are the store's: the same.
        await ws.DisposeAsync();
        await Server.RestartAsync();
        (await Bob.UnreadAsync("alice")).ShouldBe((0L, m3));
        await Alice.SendAsync("bob", "four");
        (await Bob.UnreadAsync("alice")).ShouldBe((1L, m3));
    }

    [Fact]
    public async Task AReadMarkerNamesWhatItMarks()
    {
        var m = (await Alice.SendAsync("bob", "one")).Num("mid");
        (await Bob.PostAsync("api/read", HttpStatusCode.BadRequest, ("upTo", m.ToString()))).Detail().ShouldContain("'with'");
        (await Bob.PostAsync("api/read", HttpStatusCode.BadRequest, ("with", "alice"))).Detail().ShouldContain("'upTo'");
        (await Bob.PostAsync("api/read", HttpStatusCode.BadRequest, ("with", "alice"), ("upTo", (m + 1000).ToString()))).Detail().ShouldContain("'upTo'");
        (await Bob.PostAsync("api/read", HttpStatusCode.NotFound, ("with", "carol"), ("upTo", m.ToString()))).Detail().ShouldContain("'with'");
    }

    [Fact]
    public async Task ARecalledMessageIsNoLongerUnread()
    {
        await Alice.SendAsync("bob", "one");
        var oops = (await Alice.SendAsync("bob", "oops")).Num("mid");
        (await Bob.UnreadAsync("alice")).Unread.ShouldBe(2);
        await Alice.RecallAsync(oops);
        (await Bob.UnreadAsync("alice")).Unread.ShouldBe(1);
    }
}
