using CometChat.Core;
using CometChat.Tests.Features;
using CometChat.Tests.Infrastructure;

namespace CometChat.Tests.Scaleout;

/// <summary>
/// Every node caches every node's batches in mid order from the backplane (ClusterFeed). A batch that never arrives
/// (published where nobody listens, or while Redis was down) leaves a gap that the node reads from the store: readers
/// get every message once, in order, meanwhile and after, and the cache ends up holding the whole head again.
/// </summary>
public sealed class GapTests
{
    [Fact]
    public async Task ALostPublishIsReadFromTheStoreAndALateOneIsIgnored()
    {
        await using var cluster = await Cluster.StartAsync(2);
        // A third node on the same database whose batches go to a channel nobody else hears: every publish of it is lost.
        await using var deaf = await ChatServer.StartAsync(
            TestServices.Node(cluster.ConnectionString, "cc-test-deaf-" + Guid.NewGuid().ToString("n")), time: cluster.Time);
        await ClusterTests.WaitAsync(() => deaf.Get<IWakeUpBus>().State == BusState.Up);
        var alice = await cluster[0].LoginAsync("alice");
        var bob = await cluster[1].LoginAsync("bob");
        var carol = await deaf.LoginAsync("carol");
        var b = cluster[1];
        var start = bob.Cursor;

        var poll = ParkAsync(bob, b, start);
        var lost = (await carol.SendAsync("bob", "lost publish")).GetProperty("mid").GetInt64();
        var next = (await alice.SendAsync("bob", "after the lost one")).GetProperty("mid").GetInt64();
        // A's batch skips ahead of what B holds: B wakes bob at once and he reads the store, so nothing waits on the gap.
        TestUser.Mids(await (await poll).DefaultTimeout()).ShouldBe([lost, next]);
        b.Get<ClusterFeed>().Covered.ShouldBeLessThan(next);

        // The gap's grace passes: B reads it from the store and its cache holds everything again.
        cluster.Time.Advance(ClusterFeed.GapGrace);
        await ClusterTests.WaitAsync(() => b.Get<ClusterFeed>().Covered >= next);
        b.Get<ChatStats>().GapMessages.ShouldBe(1);

        // The lost batch turns up late after all: it is already covered, so nothing is cached or delivered twice.
        var late = await b.Get<IMessageStore>().ReadCommittedAsync(lost - 1, lost, 10, CancellationToken.None);
        b.Get<ClusterFeed>().Received(new CommittedBatch(lost - 1, lost, late));
        var third = (await alice.SendAsync("bob", "third")).GetProperty("mid").GetInt64();
        await ClusterTests.WaitAsync(() => b.Get<ClusterFeed>().Covered >= third);
        TestUser.Mids(await bob.GetAsync($"api/messages?since={start}")).ShouldBe([lost, next, third]);
        b.Get<ChatStats>().GapFills.ShouldBe(1);
    }

    [Fact]
    public async Task BatchesMissedWhileRedisWasDownAreReadFromTheStoreWhenItIsBack()
    {
        await using var redis = await RedisProcess.StartAsync();
        await using var cluster = await Cluster.StartAsync(2, redis: redis.Endpoint);
        var alice = await cluster[0].LoginAsync("alice");
        var bob = await cluster[1].LoginAsync("bob");
        var b = cluster[1];
        var start = bob.Cursor;
        var before = (await alice.SendAsync("bob", "before")).GetProperty("mid").GetInt64();
        await ClusterTests.WaitAsync(() => b.Get<ClusterFeed>().Covered >= before);

        await redis.StopAsync();
        await ClusterTests.WaitAsync(() => cluster.Nodes.All(n => n.Get<IWakeUpBus>().State == BusState.Down));
        var during = new List<long>();
        for (var i = 0; i < 3; i++) during.Add((await alice.SendAsync("bob", "during " + i)).GetProperty("mid").GetInt64());
        // Meanwhile B's readers read the store (its cache stops short of the head).
        TestUser.Mids(await bob.GetAsync($"api/messages?since={before}")).ShouldBe(during);
        b.Get<ClusterFeed>().Covered.ShouldBe(before);

        await redis.StartAgainAsync();
        await ClusterTests.WaitAsync(() => cluster.Nodes.All(n => n.Get<IWakeUpBus>().State == BusState.Up));
        await ClusterTests.WaitAsync(() => b.Get<ClusterFeed>().Covered >= during[^1]);
        b.Get<ChatStats>().GapMessages.ShouldBeGreaterThanOrEqualTo(3);

        var after = (await alice.SendAsync("bob", "after")).GetProperty("mid").GetInt64();
        await ClusterTests.WaitAsync(() => b.Get<ClusterFeed>().Covered >= after || b.Get<ClusterFeed>().Covered >= b.Get<FeedHead>().Value);
        TestUser.Mids(await bob.GetAsync($"api/messages?since={start}")).ShouldBe([before, .. during, after]);
    }

    [Fact]
    public async Task AnAccountDeletedOnOneNodeLeavesNoCachedBodyOnAnother()
    {
        await using var cluster = await Cluster.StartAsync(2);
        var alice = await cluster[0].LoginAsync("alice", "pw");
        var carol = await cluster[0].LoginAsync("carol");
        var bob = await cluster[1].LoginAsync("bob");
        var b = cluster[1];
        var start = bob.Cursor;
        var secret = (await alice.SendAsync("bob", "my address is 1 Main St")).GetProperty("mid").GetInt64();
        await ClusterTests.WaitAsync(() => b.Get<ClusterFeed>().Covered >= secret);
        Bodies(await bob.GetAsync($"api/messages?since={start}")).ShouldBe(["my address is 1 Main St"]); // from B's cache

        await alice.PostAsync("api/account/delete", ("password", "pw"));
        // A batch of A's after the erasure: once B has it, B has had the erasure too (one publisher, one channel).
        var after = (await carol.SendAsync("bob", "after")).GetProperty("mid").GetInt64();
        await ClusterTests.WaitAsync(() => b.Get<ClusterFeed>().Covered >= after);
        Bodies(await bob.GetAsync($"api/messages?since={start}")).ShouldBe(["", "after"]);
        b.Get<RecentMessages>().TryRead("bob", null, new Cursor(secret), 10)!.Messages.Select(m => m.Body).ShouldBe(["after"]);
    }

    [Fact]
    public async Task CatchingUpAfterRedisWasDownDropsBodiesErasedMeanwhileFromTheCache()
    {
        await using var outage = await Outage.StartAsync();
        var (redis, cluster, alice, carol, bob, start) = outage;
        var b = cluster[1];
        // Bob on B receives alice's message live: B caches it from A's batch.
        var poll = ParkAsync(bob, b, start);
        var secret = (await alice.SendAsync("bob", "secret-body")).GetProperty("mid").GetInt64();
        TestUser.Mids(await (await poll).DefaultTimeout()).ShouldBe([secret]);
        await ClusterTests.WaitAsync(() => b.Get<ClusterFeed>().Covered >= secret);

        await redis.StopAsync();
        await ClusterTests.WaitAsync(() => cluster.Nodes.All(n => n.Get<IWakeUpBus>().State == BusState.Down));
        // The erasure's batch is published where nobody listens; so is the message after it.
        await alice.PostAsync("api/account/delete", ("password", "pw"));
        var during = (await carol.SendAsync("bob", "during")).GetProperty("mid").GetInt64();

        await redis.StartAgainAsync();
        await ClusterTests.WaitAsync(() => cluster.Nodes.All(n => n.Get<IWakeUpBus>().State == BusState.Up));
        // B reads the missed batches from the store: it has caught up (and its cache covers the head again).
        await ClusterTests.WaitAsync(() => b.Get<ClusterFeed>().Covered >= during);
        Bodies(await bob.GetAsync($"api/messages?since={start}")).ShouldBe(["", "during"]);
    }

    [Fact]
    public async Task AfterRedisIsBackANodeReadsTheStoreUntilItsCatchUpSucceeded()
    {
        await using var outage = await Outage.StartAsync();
        var (redis, cluster, alice, carol, bob, start) = outage;
        var b = cluster[1];
        var secret = await outage.CacheOnBThenEraseWhileRedisIsDownAsync();

        // The store goes away before Redis comes back: B's catch-up cannot read the head, so it cannot drop its cache.
        var db = cluster.DatabaseName;
        await PostgresTestDatabase.AdminAsync($"ALTER DATABASE {db} ALLOW_CONNECTIONS false");
        await PostgresTestDatabase.AdminAsync($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{db}'");
        try
        {
            // Each node meets its pool's dead connections now (a failed read clears the pool), not once the store is back.
            foreach (var n in cluster.Nodes)
                await Should.ThrowAsync<StoreUnavailableException>(n.Get<IMessageStore>().ReadHeadAsync(CancellationToken.None));
            await redis.StartAgainAsync();
            // A too: the batch of A's below reaches B only if A is connected when it publishes.
            await ClusterTests.WaitAsync(() => cluster.Nodes.All(n => n.Get<CometChat.Backplane.RedisConnection>().IsConnected));
            // Bob's feed on B read as every transport reads it (a request would also re-check his token in the store):
            // it must come from the store (unavailable now), not from the cache holding the erased body.
            string[]? served = null;
            try { served = [.. (await b.Get<Feed>().ReadAfterAsync("bob", null, new Cursor(start), 10, CancellationToken.None).DefaultTimeout()).Messages.Select(m => m.Body)]; }
            catch (StoreUnavailableException) { } // read from the store, which is down (a 503)
            served.ShouldBeNull("B served bob's feed from its cache");
            b.Get<IWakeUpBus>().State.ShouldBe(BusState.Down);
        }
        finally
        {
            await PostgresTestDatabase.AdminAsync($"ALTER DATABASE {db} ALLOW_CONNECTIONS true");
        }

        // The store is back: B's next heartbeat retries the catch-up, and then B serves from its cache again.
        cluster.Time.Advance(TimeSpan.FromSeconds(b.Get<Microsoft.Extensions.Options.IOptions<ChatOptions>>().Value.HeartbeatSeconds));
        await ClusterTests.WaitAsync(() => b.Get<IWakeUpBus>().State == BusState.Up);
        Bodies(await bob.GetAsync($"api/messages?since={start}")).ShouldBe([""]);
        // A's writer may first meet a connection the outage ended (503, nothing stored): sent again with the same id, as clients do.
        (await cluster[0].Http.SendAsync(carol.Request(HttpMethod.Post, "api/messages", ChatServer.Form(("to", "bob"), ("body", "after"), ("id", "a1"))))).Dispose();
        var after = (await carol.SendAsync("bob", "after", id: "a1")).GetProperty("mid").GetInt64();
        await ClusterTests.WaitAsync(() => b.Get<ClusterFeed>().Covered >= after);
        Bodies(await bob.GetAsync($"api/messages?since={start}")).ShouldBe(["", "after"]);
        b.Get<RecentMessages>().TryRead("bob", null, new Cursor(secret), 10)!.Messages.Select(m => m.Body).ShouldBe(["after"]);
    }

    [Fact]
    public async Task WhileRedisIsDownANodeReadsTheStoreNotItsCacheNorItsKnownHead()
    {
        await using var outage = await Outage.StartAsync();
        var (redis, cluster, alice, carol, bob, start) = outage;
        var b = cluster[1];
        // An erasure takes no mid: B's cache still covers the head, and only the bus being down says it may be stale.
        var secret = await outage.CacheOnBThenEraseWhileRedisIsDownAsync();
        b.Get<ClusterFeed>().Covered.ShouldBeGreaterThanOrEqualTo(await b.Get<IMessageStore>().ReadHeadAsync(CancellationToken.None));
        Bodies(await bob.GetAsync($"api/poll?since={start}&timeout=0")).ShouldBe([""]);
        Bodies(await bob.GetAsync($"api/messages?since={start}")).ShouldBe([""]);

        // A commits while B hears nothing and sweeps nothing (the fake clock stands still): a long poll on B still
        // answers at once, because its first read takes the head from the store, not from what B was told.
        var during = (await carol.SendAsync("bob", "during")).GetProperty("mid").GetInt64();
        TestUser.Mids(await bob.GetAsync($"api/poll?since={secret}").DefaultTimeout()).ShouldBe([during]);
    }

    /// <summary>
    /// Two nodes on a Redis of the test's own, to stop and start again: alice (who can delete her account) and carol
    /// on node A, bob on node B, and bob's cursor before anything was sent.
    /// </summary>
    private sealed record Outage(RedisProcess Redis, Cluster Cluster, TestUser Alice, TestUser Carol, TestUser Bob, long Start) : IAsyncDisposable
    {
        public static async Task<Outage> StartAsync()
        {
            var redis = await RedisProcess.StartAsync();
            try
            {
                var cluster = await Cluster.StartAsync(2, redis: redis.Endpoint);
                try
                {
                    var alice = await cluster[0].LoginAsync("alice", "pw");
                    var carol = await cluster[0].LoginAsync("carol");
                    var bob = await cluster[1].LoginAsync("bob");
                    return new Outage(redis, cluster, alice, carol, bob, bob.Cursor);
                }
                catch
                {
                    await cluster.DisposeAsync();
                    throw;
                }
            }
            catch
            {
                await redis.DisposeAsync();
                throw;
            }
        }

        /// <summary>
        /// Alice's "secret-body" to bob, served from B's cache; then Redis stops and alice deletes her account, so the
        /// erasure's batch is published where nobody listens. Returns the secret's mid.
        /// </summary>
        public async Task<long> CacheOnBThenEraseWhileRedisIsDownAsync()
        {
            var b = Cluster[1];
            var secret = (await Alice.SendAsync("bob", "secret-body")).GetProperty("mid").GetInt64();
            await ClusterTests.WaitAsync(() => b.Get<ClusterFeed>().Covered >= secret);
            Bodies(await Bob.GetAsync($"api/messages?since={Start}")).ShouldBe(["secret-body"]); // from B's cache
            await Redis.StopAsync();
            await ClusterTests.WaitAsync(() => Cluster.Nodes.All(n => n.Get<IWakeUpBus>().State == BusState.Down));
            await Alice.PostAsync("api/account/delete", ("password", "pw"));
            return secret;
        }

        public async ValueTask DisposeAsync()
        {
            await Cluster.DisposeAsync();
            await Redis.DisposeAsync();
        }
    }

    private static string[] Bodies(System.Text.Json.JsonElement page) =>
        [.. page.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("body").GetString()!)];

    private static async Task<Task<System.Text.Json.JsonElement>> ParkAsync(TestUser user, ChatServer node, long since)
    {
        var parked = node.Get<ChatStats>().ParkedPolls;
        var poll = user.On(node).GetAsync($"api/poll?since={since}");
        await ClusterTests.WaitAsync(() => node.Get<ChatStats>().ParkedPolls == parked + 1 || poll.IsCompleted);
        return poll;
    }
}
