using System.Net;
using CometChat.Core;
using CometChat.Tests.Features;
using CometChat.Tests.Infrastructure;

namespace CometChat.Tests.Scaleout;

/// <summary>Rooms and support sessions whose members sit on different nodes.</summary>
public sealed class ClusterFeatureTests : IAsyncLifetime
{
    private Cluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await Cluster.StartAsync(3, new()
    {
        ["Chat:Support:Agents:0"] = "ann",
        ["Chat:Support:Agents:1"] = "zed",
    });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task ALogoutOnOneNodeEndsTheTokenAndItsParkedPollOnEveryNode()
    {
        var alice = await _cluster[0].LoginAsync("alice");
        var onOther = alice.On(_cluster[2]);
        (await onOther.GetAsync("api/me")).Str("user").ShouldBe("alice"); // cached as valid on node 2
        var parked = onOther.RawGetAsync($"api/poll?since={alice.Cursor}&timeout=60");
        while (_cluster[2].Get<ChatStats>().ParkedPolls < 1) await Task.Delay(5);

        await alice.PostAsync("api/logout");
        // The backplane tells node 2 at once: its parked poll is cut and its cache forgets the token.
        await Should.ThrowAsync<HttpRequestException>(parked.DefaultTimeout());
        (await onOther.GetAsync("api/me", HttpStatusCode.Unauthorized)).Detail().ShouldContain("revoked");
        (await alice.On(_cluster[1]).GetAsync("api/me", HttpStatusCode.Unauthorized)).Detail().ShouldContain("revoked");
    }

    [Fact]
    public async Task ARoomMessageWakesMembersOnEveryNode()
    {
        var alice = await _cluster[0].LoginAsync("alice");
        var bob = await _cluster[1].LoginAsync("bob");
        var carol = await _cluster[2].LoginAsync("carol");
        foreach (var u in new[] { alice, bob, carol }) await u.PostAsync("api/rooms/lobby/join");
        var since = (await carol.GetAsync("api/me")).Num("cursor");

        var onB = bob.GetAsync($"api/poll?since={since}");
        var onC = carol.GetAsync($"api/poll?since={since}");
        await ClusterTests.WaitAsync(() => _cluster[1].Get<ChatStats>().ParkedPolls == 1 && _cluster[2].Get<ChatStats>().ParkedPolls == 1);
        var mid = (await alice.SendAsync("#lobby", "hello, all nodes")).Num("mid");
        TestUser.Mids(await onB.DefaultTimeout()).ShouldBe([mid]);
        TestUser.Mids(await onC.DefaultTimeout()).ShouldBe([mid]);

        // Typing in the room, sent on C, reaches bob's poll on B.
        var typing = bob.GetAsync($"api/poll?since={mid}");
        await ClusterTests.WaitAsync(() => _cluster[1].Get<ChatStats>().ParkedPolls == 1);
        await carol.PostAsync("api/typing", ("to", "#lobby"));
        (await typing.DefaultTimeout()).GetProperty("events")[0].Str("to").ShouldBe("#lobby");

        // Membership and history read the same on every node.
        var room = await alice.On(_cluster[2]).GetAsync("api/rooms/lobby");
        room.ToString().ShouldContain("\"bob\"");
        (await bob.On(_cluster[0]).GetAsync("api/history?with=%23lobby")).GetProperty("messages").EnumerateArray()
            .Select(m => m.Num("mid")).ShouldContain(mid);
    }

    [Fact]
    public async Task EveryPushTransportOnOtherNodesGetsASendPromptly()
    {
        var alice = await _cluster[0].LoginAsync("alice");
        var bob = await _cluster[1].LoginAsync("bob");
        var readers = new List<FeedReader>();
        try
        {
            // Streams, SSE, WebSocket and TCP of one user, spread over the two nodes the sender is not on.
            for (var i = 0; i < FeedReader.All.Length; i++)
                readers.Add(await FeedReader.OpenAsync(bob.On(_cluster[1 + i % 2]), FeedReader.All[i], bob.Cursor));
            var mid = (await alice.SendAsync("bob", "to every transport")).Num("mid");
            foreach (var r in readers) (await r.NextMessageAsync()).Mid.ShouldBe(mid);
        }
        finally
        {
            foreach (var r in readers) await r.DisposeAsync();
        }
    }

    [Fact]
    public async Task ASupportSessionSpansNodes()
    {
        var ann = await _cluster[1].MintedUserAsync("ann");
        var customer = await _cluster[0].LoginAsync("c1");
        // ann is online on node B only; node A assigns the session to her through the shared presence.
        var annPoll = ann.GetAsync($"api/poll?since={ann.Cursor}");
        await ClusterTests.WaitAsync(() => _cluster[1].Get<ChatStats>().ParkedPolls == 1);
        await ClusterTests.WaitAsync(() => _cluster[0].Get<Presence>().IsOnline("ann")); // reported to Redis in the background

        var opened = await customer.SendAsync("@support", "my order is late");
        var sid = opened.Num("sid");
        var annPage = await annPoll.DefaultTimeout();
        annPage.GetProperty("messages")[0].Str("body").ShouldBe("assigned to ann");

        // ann answers from node C; the customer's poll on node A wakes.
        var customerPoll = customer.GetAsync($"api/poll?since={opened.Num("mid")}");
        await ClusterTests.WaitAsync(() => _cluster[0].Get<ChatStats>().ParkedPolls == 1);
        var reply = await ann.On(_cluster[2]).SendWithSidAsync("c1", "on its way", sid);
        var got = (await customerPoll.DefaultTimeout()).GetProperty("messages")[0];
        (got.Num("mid"), got.Num("sid"), got.Str("body")).ShouldBe((reply.Num("mid"), sid, "on its way"));
    }

    [Fact]
    public async Task AQueuedSessionIsAssignedWhenAnAgentComesOnlineOnAnotherNode()
    {
        var zed = await _cluster[2].MintedUserAsync("zed");
        var customer = await _cluster[0].LoginAsync("c2");
        var first = await customer.SendAsync("@support", "anyone?");
        (await customer.FeedAsync(customer.Cursor)).First().Str("body").ShouldBe("offline: no agent is online"); // queued, and told the desk is offline

        await zed.GetAsync("api/messages"); // zed is seen on node C: its support desk assigns from the shared queue
        await ClusterTests.WaitAsync(() => customer.FeedAsync(first.Num("mid")).Result.Any(m => m.Str("body") == "assigned to zed"));
        await customer.On(_cluster[1]).PostAsync($"api/support/{first.Num("sid")}/close", HttpStatusCode.OK);
    }
}
