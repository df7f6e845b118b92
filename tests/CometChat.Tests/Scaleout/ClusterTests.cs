using System.Diagnostics;
using System.Net;
using System.Text.Json;
using CometChat.Core;
using CometChat.Tests.Infrastructure;

namespace CometChat.Tests.Scaleout;

/// <summary>
/// Three nodes sharing PostgreSQL and Redis, with no sticky sessions: every request of a user may land on
/// any node. The fake clock never moves in these tests unless they say so, so a long poll that answers
/// was woken, never timed out.
/// </summary>
public sealed class ClusterTests : IAsyncLifetime
{
    private Cluster _cluster = null!;
    private TestUser _alice = null!, _bob = null!;

    public async Task InitializeAsync()
    {
        _cluster = await Cluster.StartAsync(3);
        _alice = await _cluster[0].LoginAsync("alice");
        _bob = await _cluster[1].LoginAsync("bob");
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task LongPollOnOneNodeIsWokenBySendOnAnother()
    {
        var onA = _bob.On(_cluster[0]).GetAsync($"api/poll?since={_bob.Cursor}&client=tab1");
        var onC = _bob.On(_cluster[2]).GetAsync($"api/poll?since={_bob.Cursor}&client=tab2");
        await WaitAsync(() => _cluster[0].Get<ChatStats>().ParkedPolls == 1 && _cluster[2].Get<ChatStats>().ParkedPolls == 1);

        var clock = Stopwatch.StartNew();
        var mid = (await _alice.On(_cluster[1]).SendAsync("bob", "across nodes")).GetProperty("mid").GetInt64();
        TestUser.Mids(await onA.DefaultTimeout()).ShouldBe([mid]);
        TestUser.Mids(await onC.DefaultTimeout()).ShouldBe([mid]);
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5)); // woken: the fake clock never reached the 25 s timeout
    }

    [Fact]
    public async Task EveryNodeKnowsTheHeadOfEveryOther()
    {
        var mid = (await _alice.On(_cluster[2]).SendAsync("bob", "head")).GetProperty("mid").GetInt64();
        // A cursor just handed out by another node is never "ahead" on this one.
        TestUser.Mids(await _bob.On(_cluster[0]).GetAsync($"api/messages?since={mid - 1}")).ShouldBe([mid]);
        (await _bob.On(_cluster[1]).GetAsync($"api/poll?since={mid}&timeout=0")).GetProperty("cursor").GetInt64().ShouldBe(mid);
        await WaitAsync(() => _cluster.Nodes.All(n => n.Get<Feed>().Head >= mid));
    }

    [Fact]
    public async Task TypingTravelsAcrossNodes()
    {
        var poll = _bob.On(_cluster[0]).GetAsync($"api/poll?since={_bob.Cursor}");
        await WaitAsync(() => _cluster[0].Get<ChatStats>().ParkedPolls == 1);
        using (var res = await _cluster[2].Http.SendAsync(_alice.Request(HttpMethod.Post, "api/typing", ChatServer.Form(("to", "bob")))))
            res.StatusCode.ShouldBe(HttpStatusCode.OK);
        var page = await poll.DefaultTimeout();
        page.GetProperty("events")[0].GetProperty("from").GetString().ShouldBe("alice");
        page.GetProperty("messages").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task PresenceSpansNodes()
    {
        using var cts = new CancellationTokenSource();
        var poll = _bob.On(_cluster[0]).RawGetAsync($"api/poll?since={_bob.Cursor}", cts.Token);
        await WaitAsync(() => _cluster[0].Get<ChatStats>().ParkedPolls == 1);
        await WaitAsync(() => _cluster[2].Get<Presence>().IsOnline("bob")); // reported to Redis in the background
        _cluster[1].Get<Presence>().IsOnline("carol").ShouldBeFalse();

        await cts.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(() => poll.DefaultTimeout());
        await WaitAsync(() => _cluster[0].Get<ChatStats>().ParkedPolls == 0);
        _cluster[2].Get<Presence>().IsOnline("bob").ShouldBeTrue(); // the grace period bridges reconnects
        _cluster.Time.Advance(TimeSpan.FromSeconds(11));
        // Offline once node A's "closed" report has landed (the open one would keep bob online far longer).
        await WaitAsync(() => !_cluster[2].Get<Presence>().IsOnline("bob"));
        _cluster[2].Get<Presence>().Get("bob").LastSeen.ShouldNotBeNull();
    }

    [Fact]
    public async Task HealthSaysTheBackplaneIsUp()
    {
        using var res = await _cluster[1].Http.GetAsync("healthz");
        var json = await ChatServer.ReadJsonAsync(res, HttpStatusCode.OK);
        json.GetProperty("status").GetString().ShouldBe("ok");
        json.GetProperty("backplane").GetString().ShouldBe("up");
    }

    internal static async Task WaitAsync(Func<bool> condition)
    {
        // Server-side state, polled with a ceiling (never a sleep that proves timing).
        var until = DateTime.UtcNow + TaskTimeouts.Default;
        while (!condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException("the cluster never reached the expected state");
            await Task.Delay(5);
        }
    }
}

/// <summary>Rate limits count a user's requests on every node together.</summary>
public sealed class ClusterLimitsTests
{
    [Fact]
    public async Task SendLimitCountsAcrossNodes()
    {
        await using var cluster = await Cluster.StartAsync(2, new()
        {
            ["Chat:Limits:Enabled"] = "true",
            ["Chat:Limits:SendsPerSecond"] = "1",
            ["Chat:Limits:SendBurst"] = "4",
        });
        var alice = await cluster[0].LoginAsync("alice");
        await cluster[1].LoginAsync("bob");
        // Each node alone would allow a burst of 4; together they allow 4 in the window.
        for (var i = 0; i < 4; i++) await alice.On(cluster[i % 2]).SendAsync("bob", "m" + i);
        using var res = await cluster[1].Http.SendAsync(alice.Request(HttpMethod.Post, "api/messages", ChatServer.Form(("to", "bob"), ("body", "one too many"))));
        var problem = await ChatServer.ReadJsonAsync(res, (HttpStatusCode)429);
        problem.GetProperty("code").GetString().ShouldBe("rate_limited");
        res.Headers.RetryAfter.ShouldNotBeNull();

        cluster.Time.Advance(TimeSpan.FromSeconds(5)); // the shared window passes (the local bucket refills in real time)
        await WaitForLocalRefillAsync(alice.On(cluster[0]));
    }

    [Fact]
    public async Task PasswordGuessesCountAcrossNodes()
    {
        await using var cluster = await Cluster.StartAsync(2, new()
        {
            ["Chat:Limits:Enabled"] = "true", ["Chat:Limits:LoginFreeFailures"] = "2", ["Chat:Limits:LoginMaxDelaySeconds"] = "60",
        });
        await cluster[0].LoginAsync("victim", "right");
        for (var i = 0; i < 3; i++)
        {
            using var wrong = await cluster[i % 2].Http.PostAsync("api/login", ChatServer.Form(("name", "victim"), ("password", "guess")));
            wrong.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }
        // The third wrong guess (on node 0) set a wait that node 1 enforces too.
        using var res = await cluster[1].Http.PostAsync("api/login", ChatServer.Form(("name", "victim"), ("password", "guess")));
        res.StatusCode.ShouldBe((HttpStatusCode)429);
        res.Headers.RetryAfter!.Delta!.Value.TotalSeconds.ShouldBe(1);
    }

    private static async Task WaitForLocalRefillAsync(TestUser user)
    {
        var until = DateTime.UtcNow + TaskTimeouts.Default;
        while (true)
        {
            using var res = await user.Server.Http.SendAsync(user.Request(HttpMethod.Post, "api/messages", ChatServer.Form(("to", "bob"), ("body", "later"))));
            if (res.StatusCode == HttpStatusCode.OK) return;
            if (DateTime.UtcNow > until) throw new TimeoutException("sends never resumed: " + await res.Content.ReadAsStringAsync());
            await Task.Delay(100);
        }
    }
}

/// <summary>PostgreSQL without a backplane: nodes find each other's commits in the store on every read and heartbeat.</summary>
public sealed class SharedStoreWithoutBackplaneTests
{
    [Fact]
    public async Task NodesCatchUpFromTheStore()
    {
        await using var cluster = await Cluster.StartAsync(2, backplane: false);
        var alice = await cluster[0].LoginAsync("alice");
        var bob = await cluster[1].LoginAsync("bob");
        var poll = bob.GetAsync($"api/poll?since={bob.Cursor}");
        await ClusterTests.WaitAsync(() => cluster[1].Get<ChatStats>().ParkedPolls == 1);

        var mid = (await alice.SendAsync("bob", "no backplane")).GetProperty("mid").GetInt64();
        // A cursor from node A is not "ahead" on node B, and a read on B sees A's message at once.
        TestUser.Mids(await bob.GetAsync($"api/messages?since={mid - 1}")).ShouldBe([mid]);
        JsonElement page = await bob.GetAsync($"api/poll?since={mid}&timeout=0");
        page.GetProperty("cursor").GetInt64().ShouldBe(mid);

        // The parked poll is woken by B's next heartbeat sweep, not by its timeout.
        (await cluster[1].Get<ClusterSync>().SweepAsync(CancellationToken.None)).ShouldBeTrue();
        TestUser.Mids(await poll.DefaultTimeout()).ShouldBe([mid]);
        using var health = await cluster[1].Http.GetAsync("healthz");
        (await ChatServer.ReadJsonAsync(health, HttpStatusCode.OK)).GetProperty("status").GetString().ShouldBe("ok");
    }
}
