using System.Net;
using CometChat.Core;
using CometChat.Tests.Features;
using CometChat.Tests.Infrastructure;

namespace CometChat.Tests.Scaleout;

/// <summary>The desk on three nodes sharing PostgreSQL and Redis: queue positions, claims, routing and webhooks agree everywhere.</summary>
public sealed class ClusterDeskTests : IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;
    private Cluster? _cluster;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync()
    {
        if (_cluster is not null) await _cluster.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    private async Task<Cluster> StartAsync(string routing, string max = "5") => _cluster = await Cluster.StartAsync(3, new()
    {
        ["Chat:Support:Agents:0"] = "ann",
        ["Chat:Support:Agents:1"] = "zed",
        ["Chat:Support:Routing"] = routing,
        ["Chat:Support:MaxSessionsPerAgent"] = max,
        ["Chat:Webhooks:0:Url"] = _receiver.Url,
        ["Chat:Webhooks:0:Secret"] = "s",
        ["Chat:Webhooks:0:Events:0"] = "session.queued",
        ["Chat:Webhooks:0:Events:1"] = "session.assigned",
    });

    [Fact]
    public async Task QueuePositionsAndClaimsAgreeOnEveryNode()
    {
        var cluster = await StartAsync("manual");
        var customers = new List<TestUser>();
        var sids = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            var c = await cluster[i].MintedAsync("c" + i);
            customers.Add(c);
            sids.Add((await c.SendAsync("@support", "from node " + i)).Num("sid"));
        }
        var ann = await cluster[0].MintedAsync("ann");
        var zed = await cluster[1].MintedAsync("zed");
        for (var i = 0; i < 3; i++)
        {
            var queue = await ann.On(cluster[i]).GetAsync("api/support/queue");
            queue.GetProperty("queue").EnumerateArray().Select(e => (e.Num("sid"), e.Str("customer"), e.Num("position")))
                .ShouldBe([(sids[0], "c0", 1L), (sids[1], "c1", 2L), (sids[2], "c2", 3L)]);
            (await customers[2].On(cluster[i]).GetAsync("api/support/mine")).Num("position").ShouldBe(3);
        }

        // c2 waits on node 2; ann claims on node 1: c2 hears its new place through the backplane.
        var cursor = (await customers[2].GetAsync("api/messages")).Num("cursor");
        var waiting = customers[2].GetAsync($"api/poll?since={cursor}&timeout=30");
        await cluster[2].WaitForParkedPollsAsync(1);
        (await ann.On(cluster[1]).PostAsync($"api/support/{sids[0]}/claim")).Str("agent").ShouldBe("ann");
        var moved = (await waiting.DefaultTimeout()).GetProperty("events").EnumerateArray().Single(e => e.Str("kind") == "queue");
        (moved.Num("sid"), moved.Num("position")).ShouldBe((sids[2], 2L));
        (await zed.On(cluster[2]).PostAsync($"api/support/{sids[0]}/claim", HttpStatusCode.Conflict)).Str("code").ShouldBe("conflict");
        for (var i = 0; i < 3; i++)
            (await customers[2].On(cluster[i]).GetAsync("api/support/mine")).Num("position").ShouldBe(2);

        // Webhooks from every node go out once: whichever node holds the outbox lease sends them all.
        foreach (var node in cluster.Nodes) await node.Get<OutboxDispatcher>().DispatchDueAsync(CancellationToken.None).DefaultTimeout();
        await _receiver.WaitAsync(r => r.Received.Count >= 4);
        foreach (var node in cluster.Nodes) await node.Get<OutboxDispatcher>().DispatchDueAsync(CancellationToken.None).DefaultTimeout();
        _receiver.Received.Select(d => (d.Event, d.Sid)).ShouldBe(
            [("session.queued", sids[0]), ("session.queued", sids[1]), ("session.queued", sids[2]), ("session.assigned", sids[0])], ignoreOrder: true);
        _receiver.Received.Where(d => d.Sid == sids[0]).Select(d => d.Event).ShouldBe(["session.queued", "session.assigned"]);
    }

    [Fact]
    public async Task AutoRoutingSeesAgentsOnOtherNodesAndTheirLoad()
    {
        var cluster = await StartAsync("auto", max: "1");
        var ann = await cluster[0].MintedAsync("ann");
        var zed = await cluster[1].MintedAsync("zed");
        await ann.GetAsync("api/messages");
        await zed.GetAsync("api/messages");
        await ClusterTests.WaitAsync(() => cluster[2].Get<Presence>().IsOnline("ann") && cluster[2].Get<Presence>().IsOnline("zed"));

        var c1 = await cluster[2].MintedAsync("c1");
        var c2 = await cluster[2].MintedAsync("c2");
        var c3 = await cluster[2].MintedAsync("c3");
        var s1 = (await c1.SendAsync("@support", "one")).Num("sid");
        var s2 = (await c2.SendAsync("@support", "two")).Num("sid");
        var s3 = (await c3.SendAsync("@support", "three")).Num("sid");
        (await c1.FeedAsync(c1.Cursor))[0].Str("body").ShouldBe("assigned to ann");
        (await c2.FeedAsync(c2.Cursor))[0].Str("body").ShouldBe("assigned to zed");
        (await c3.FeedAsync(c3.Cursor))[0].Str("body").ShouldBe("queued");
        var agents = (await zed.On(cluster[2]).GetAsync("api/support/agents")).GetProperty("agents").EnumerateArray()
            .Select(a => (a.Str("agent"), a.GetProperty("online").GetBoolean(), a.Num("load"))).ToArray();
        agents.ShouldBe([("ann", true, 1L), ("zed", true, 1L)]);

        // ann closes on node 0: the waiting session is hers, whichever node it queued on.
        await ann.PostAsync($"api/support/{s1}/close");
        (await c3.On(cluster[1]).GetAsync("api/support/mine")).Str("agent").ShouldBe("ann");
        _ = s2;
        _ = s3;
    }
}
