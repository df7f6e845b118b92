using System.Net;
using CometChat.Core;
using CometChat.Tests.Infrastructure;

namespace CometChat.Tests.Transports;

public class LongPollTests : IAsyncLifetime
{
    /// <summary>Extra settings of a subclass that runs these tests on another backend (see Scaleout/PostgresSuiteTests.cs).</summary>
    protected virtual Dictionary<string, string?> Backend => [];

    private ChatServer _server = null!;
    private TestUser _alice = null!, _bob = null!;

    public async Task InitializeAsync()
    {
        _server = await ChatServer.StartAsync(new Dictionary<string, string?> { ["Chat:MaxParkedPerUser"] = "3" }.With(Backend));
        _alice = await _server.LoginAsync("alice");
        _bob = await _server.LoginAsync("bob");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private ChatStats Stats => _server.Get<ChatStats>();

    private Task WaitForParkedAsync(long count) => _server.WaitForParkedPollsAsync(count);

    [Fact]
    public async Task PollAnswersAtOnceWhenTheFeedHasMessages()
    {
        var sent = await _alice.SendAsync("bob", "waiting");
        var page = await _bob.GetAsync($"api/poll?since={_bob.Cursor}").DefaultTimeout();
        TestUser.Mids(page).ShouldBe([sent.GetProperty("mid").GetInt64()]);
    }

    [Fact]
    public async Task ParkedPollIsWokenBySend()
    {
        var poll = _bob.GetAsync($"api/poll?since={_bob.Cursor}");
        await WaitForParkedAsync(1);
        var sent = await _alice.SendAsync("bob", "wake up");
        var page = await poll.DefaultTimeout();
        TestUser.Mids(page).ShouldBe([sent.GetProperty("mid").GetInt64()]);
        await WaitForParkedAsync(0);
    }

    [Fact]
    public async Task PollAnswersEmptyAfterTimeout()
    {
        var poll = _bob.GetAsync($"api/poll?since={_bob.Cursor}&timeout=25");
        await WaitForParkedAsync(1);
        _server.Time.Advance(TimeSpan.FromSeconds(24));
        poll.IsCompleted.ShouldBeFalse();
        _server.Time.Advance(TimeSpan.FromSeconds(1));
        var page = await poll.DefaultTimeout();
        page.GetProperty("messages").GetArrayLength().ShouldBe(0);
        page.GetProperty("cursor").GetInt64().ShouldBe(_bob.Cursor);
    }

    [Fact]
    public async Task PollWithTimeoutZeroAnswersAtOnce()
    {
        var page = await _bob.GetAsync($"api/poll?since={_bob.Cursor}&timeout=0").DefaultTimeout();
        page.GetProperty("messages").GetArrayLength().ShouldBe(0);
    }

    [Theory]
    [InlineData("timeout=61", 400, "'timeout'")]
    [InlineData("timeout=-1", 400, "'timeout'")]
    [InlineData("since=x", 400, "'since'")]
    [InlineData("since=50", 409, "'since'")]
    [InlineData("limit=600", 400, "'limit'")]
    public async Task PollValidatesParameters(string query, int status, string named)
    {
        var problem = await _bob.GetAsync("api/poll?" + query, (HttpStatusCode)status).DefaultTimeout();
        problem.GetProperty("detail").GetString()!.ShouldContain(named);
    }

    [Fact]
    public async Task SupersededPollIsReleasedEmpty()
    {
        var polls = new List<Task<System.Text.Json.JsonElement>>();
        for (var i = 0; i < 3; i++)
        {
            polls.Add(_bob.GetAsync($"api/poll?since={_bob.Cursor}"));
            await WaitForParkedAsync(i + 1);
        }
        var fourth = _bob.GetAsync($"api/poll?since={_bob.Cursor}");
        var released = await polls[0].DefaultTimeout();
        released.GetProperty("messages").GetArrayLength().ShouldBe(0);
        released.GetProperty("superseded").GetBoolean().ShouldBeTrue();
        await WaitForParkedAsync(3);

        var sent = await _alice.SendAsync("bob", "to every tab");
        foreach (var p in new[] { polls[1], polls[2], fourth })
            TestUser.Mids(await p.DefaultTimeout()).ShouldBe([sent.GetProperty("mid").GetInt64()]);
    }

    [Fact]
    public async Task ClientDisconnectWhileParkedFreesTheWaiter()
    {
        using var cts = new CancellationTokenSource();
        var polls = Enumerable.Range(0, 3).Select(_ => _bob.RawGetAsync($"api/poll?since={_bob.Cursor}", cts.Token)).ToList();
        await WaitForParkedAsync(3);
        await cts.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(() => Task.WhenAll(polls).DefaultTimeout());
        await WaitForParkedAsync(0);
    }

    [Fact]
    public async Task HundredsOfClientsHangingUpFreeEveryWaiter()
    {
        var users = new List<TestUser>();
        for (var i = 0; i < 100; i++) users.Add(await _server.LoginAsync("u" + i));
        using var cts = new CancellationTokenSource();
        var polls = users.SelectMany(u => Enumerable.Range(0, 3).Select(_ => u.RawGetAsync($"api/poll?since={u.Cursor}", cts.Token))).ToList();
        await WaitForParkedAsync(300);
        await cts.CancelAsync();
        try { await Task.WhenAll(polls).DefaultTimeout(); } catch (OperationCanceledException) { }
        await WaitForParkedAsync(0);
    }

    [Fact]
    public async Task ShutdownAnswersEveryParkedPoll()
    {
        var polls = new List<Task<System.Text.Json.JsonElement>>();
        for (var i = 0; i < 20; i++)
        {
            var u = await _server.LoginAsync("s" + i);
            polls.Add(u.GetAsync($"api/poll?since={u.Cursor}"));
        }
        await WaitForParkedAsync(20);
        var stop = _server.StopAppAsync();
        foreach (var p in polls) (await p.DefaultTimeout()).GetProperty("messages").GetArrayLength().ShouldBe(0);
        await stop.DefaultTimeout();
    }

    [Fact]
    public async Task OwnClientsSendNeitherWakesNorFillsItsPollButOtherTabsGetIt()
    {
        var own = _alice.GetAsync($"api/poll?since={_alice.Cursor}&client=tab1");
        var other = _alice.GetAsync($"api/poll?since={_alice.Cursor}&client=tab2");
        await WaitForParkedAsync(2);
        var sent = await _alice.SendAsync("bob", "from tab1", client: "tab1");
        var mid = sent.GetProperty("mid").GetInt64();
        TestUser.Mids(await other.DefaultTimeout()).ShouldBe([mid]);
        own.IsCompleted.ShouldBeFalse();

        var reply = await _bob.SendAsync("alice", "reply");
        var page = await own.DefaultTimeout();
        TestUser.Mids(page).ShouldBe([reply.GetProperty("mid").GetInt64()]);

        // The tab's cursor moved past its own message too: a short poll from the old cursor skips it.
        var shortPoll = await _alice.GetAsync($"api/messages?since={_alice.Cursor}&client=tab1");
        TestUser.Mids(shortPoll).ShouldBe([reply.GetProperty("mid").GetInt64()]);
    }

    [Fact]
    public async Task OwnSendsAloneAdvanceTheCursorOnTimeout()
    {
        var own = _alice.GetAsync($"api/poll?since={_alice.Cursor}&client=tab1&timeout=5");
        await WaitForParkedAsync(1);
        var mid = (await _alice.SendAsync("bob", "mine", client: "tab1")).GetProperty("mid").GetInt64();
        _server.Time.Advance(TimeSpan.FromSeconds(5));
        var page = await own.DefaultTimeout();
        page.GetProperty("messages").GetArrayLength().ShouldBe(0);
        page.GetProperty("cursor").GetInt64().ShouldBe(mid);
    }

    [Fact]
    public async Task LongPollOverJsonp()
    {
        var poll = _server.Http.GetStringAsync($"api/poll?since={_bob.Cursor}&token={_bob.Token}&callback=cometchat.got");
        await WaitForParkedAsync(1);
        var sent = await _alice.SendAsync("bob", "via jsonp");
        var page = ChatServer.ParseJsonp(await poll.DefaultTimeout(), "cometchat.got");
        TestUser.Mids(page).ShouldBe([sent.GetProperty("mid").GetInt64()]);
    }

    [Fact]
    public async Task LostWakeUpRaceIsHammeredOverHttp()
    {
        // 1,000 send/poll pairs: each poll starts with no message waiting and races the send that should wake it.
        const int recipients = 50, rounds = 20;
        var receivers = new List<TestUser>();
        for (var i = 0; i < recipients; i++) receivers.Add(await _server.LoginAsync("r" + i));
        var cursors = receivers.Select(r => r.Cursor).ToArray();
        for (var round = 0; round < rounds; round++)
        {
            var pairs = receivers.Select(async (r, i) =>
            {
                var poll = r.GetAsync($"api/poll?since={cursors[i]}");
                var sent = await _alice.SendAsync(r.Name, $"round {round}");
                var page = await poll.DefaultTimeout();
                TestUser.Mids(page).ShouldBe([sent.GetProperty("mid").GetInt64()]);
                cursors[i] = page.GetProperty("cursor").GetInt64();
            });
            await Task.WhenAll(pairs).DefaultTimeout();
        }
    }
}
