using System.Net;
using System.Text.Json;
using CometChat.Backplane;
using CometChat.Core;
using CometChat.Tests.Infrastructure;

namespace CometChat.Tests.Scaleout;

/// <summary>Losing Redis degrades wake-ups between nodes and loses nothing; losing PostgreSQL is 503 until it is back.</summary>
public sealed class OutageTests
{
    [Fact]
    public async Task RedisStoppedAndRestartedLosesNothingAndTheNodeKeepsServing()
    {
        await using var redis = await RedisProcess.StartAsync();
        await using var cluster = await Cluster.StartAsync(2, redis: redis.Endpoint);
        var alice = await cluster[0].LoginAsync("alice");
        var bob = await cluster[1].LoginAsync("bob");
        var sent = new List<long>();
        async Task<long> Send(TestUser from, string body)
        {
            var mid = (await from.SendAsync("bob", body)).GetProperty("mid").GetInt64();
            sent.Add(mid);
            return mid;
        }

        // Up: a send on A wakes bob's poll on B.
        var poll = ParkAsync(bob, cluster[1], bob.Cursor);
        var m1 = await Send(alice, "before");
        TestUser.Mids(await (await poll).DefaultTimeout()).ShouldBe([m1]);

        await redis.StopAsync();
        await ClusterTests.WaitAsync(() => cluster.Nodes.All(n => n.Get<IWakeUpBus>().State == BusState.Down));
        var health = await HealthAsync(cluster[1], HttpStatusCode.OK);
        health.GetProperty("status").GetString().ShouldBe("degraded");
        health.GetProperty("backplane").GetString().ShouldBe("down");

        // Down: B still serves and wakes its own clients...
        poll = ParkAsync(bob, cluster[1], m1);
        var m2 = await Send(alice.On(cluster[1]), "own node");
        TestUser.Mids(await (await poll).DefaultTimeout()).ShouldBe([m2]);
        // ...a read on B sees A's commits at once...
        var m3 = await Send(alice, "read during outage");
        TestUser.Mids(await bob.GetAsync($"api/messages?since={m2}")).ShouldBe([m3]);
        // ...and a parked poll on B gets A's message at B's next heartbeat.
        poll = ParkAsync(bob, cluster[1], m3);
        var m4 = await Send(alice, "heartbeat during outage");
        (await cluster[1].Get<ClusterSync>().SweepAsync(CancellationToken.None)).ShouldBeTrue();
        TestUser.Mids(await (await poll).DefaultTimeout()).ShouldBe([m4]);

        await redis.StartAgainAsync();
        await ClusterTests.WaitAsync(() => cluster.Nodes.All(n => n.Get<IWakeUpBus>().State == BusState.Up));
        (await HealthAsync(cluster[1], HttpStatusCode.OK)).GetProperty("status").GetString().ShouldBe("ok");

        // Up again: woken across nodes without a heartbeat.
        poll = ParkAsync(bob, cluster[1], m4);
        await WaitForSubscriptionsAsync(cluster);
        var m5 = await Send(alice, "after");
        TestUser.Mids(await (await poll).DefaultTimeout()).ShouldContain(m5);

        TestUser.Mids(await bob.GetAsync($"api/messages?since={bob.Cursor}")).ShouldBe(sent);
    }

    [Fact]
    public async Task ANodeStartsWithoutRedisAndJoinsWhenItComesUp()
    {
        await using var redis = await RedisProcess.StartAsync();
        await redis.StopAsync();
        await using var server = await ChatServer.StartAsync(TestServices.OnPostgres.With(new()
        {
            ["Chat:Backplane"] = "redis",
            ["ConnectionStrings:Redis"] = redis.Endpoint,
            ["Chat:Redis:Prefix"] = "cc-test-" + Guid.NewGuid().ToString("n"),
        }));
        var alice = await server.LoginAsync("alice");
        (await alice.SendAsync("alice", "served without Redis")).GetProperty("mid").GetInt64().ShouldBeGreaterThan(0);
        (await HealthAsync(server, HttpStatusCode.OK)).GetProperty("backplane").GetString().ShouldBe("down");

        await redis.StartAgainAsync();
        await ClusterTests.WaitAsync(() => server.Get<IWakeUpBus>().State == BusState.Up);
        (await HealthAsync(server, HttpStatusCode.OK)).GetProperty("status").GetString().ShouldBe("ok");
    }

    [Fact]
    public async Task PostgresUnavailableAnswers503ThenRecovers()
    {
        await using var server = await ChatServer.StartAsync(TestServices.OnPostgres.With(new() { ["Chat:DatabaseBusyTimeoutSeconds"] = "2" }));
        var alice = await server.LoginAsync("alice");
        var bob = await server.LoginAsync("bob");
        var before = (await alice.SendAsync("bob", "before")).GetProperty("mid").GetInt64();
        var db = server.PostgresDatabaseName!;

        await PostgresTestDatabase.AdminAsync($"ALTER DATABASE {db} ALLOW_CONNECTIONS false");
        await PostgresTestDatabase.AdminAsync($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{db}'");
        try
        {
            using (var res = await server.Http.SendAsync(alice.Request(HttpMethod.Post, "api/messages", ChatServer.Form(("to", "bob"), ("body", "during"), ("id", "d1")))))
                (await ChatServer.ReadJsonAsync(res, HttpStatusCode.ServiceUnavailable)).GetProperty("code").GetString().ShouldBe("unavailable");
            (await bob.GetAsync("api/messages?since=0", HttpStatusCode.ServiceUnavailable)).GetProperty("code").GetString().ShouldBe("unavailable");
            await HealthAsync(server, HttpStatusCode.ServiceUnavailable);
        }
        finally
        {
            await PostgresTestDatabase.AdminAsync($"ALTER DATABASE {db} ALLOW_CONNECTIONS true");
        }

        // Back by itself: the retried send is stored once, and nothing acknowledged was lost.
        var during = (await alice.SendAsync("bob", "during", id: "d1")).GetProperty("mid").GetInt64();
        TestUser.Mids(await bob.GetAsync("api/messages?since=0")).ShouldBe([before, during]);
        (await HealthAsync(server, HttpStatusCode.OK)).GetProperty("status").GetString().ShouldBe("ok");
    }

    private static async Task<Task<JsonElement>> ParkAsync(TestUser user, ChatServer node, long since)
    {
        var parked = node.Get<ChatStats>().ParkedPolls;
        var poll = user.On(node).GetAsync($"api/poll?since={since}");
        await ClusterTests.WaitAsync(() => node.Get<ChatStats>().ParkedPolls == parked + 1 || poll.IsCompleted);
        return poll;
    }

    /// <summary>
    /// The multiplexer says "connected" a moment before it has re-subscribed: wait until a harmless message
    /// on the wake-up channel (no head, no users) reaches every node.
    /// </summary>
    private static async Task WaitForSubscriptionsAsync(Cluster cluster)
    {
        var redis = cluster[0].Get<RedisConnection>();
        var until = DateTime.UtcNow + TaskTimeouts.Default;
        while (await redis.Subscriber.PublishAsync(redis.Channel("wake"), "{\"n\":\"probe\",\"h\":0,\"u\":[]}") < cluster.Nodes.Length)
        {
            if (DateTime.UtcNow > until) throw new TimeoutException("the nodes never re-subscribed to Redis");
            await Task.Delay(20);
        }
    }

    private static async Task<JsonElement> HealthAsync(ChatServer server, HttpStatusCode expected)
    {
        using var res = await server.Http.GetAsync("healthz");
        return await ChatServer.ReadJsonAsync(res, expected);
    }
}
