using System.Net;
using System.Text.Json;
using CometChat.Tests.Infrastructure;

namespace CometChat.Tests.Features;

public class PresenceTests : IAsyncLifetime
{
    /// <summary>Extra settings of a subclass that runs these tests on another backend (see Scaleout/PostgresSuiteTests.cs).</summary>
    protected virtual Dictionary<string, string?> Backend => [];

    private ChatServer _server = null!;
    private TestUser _alice = null!, _bob = null!;

    public async Task InitializeAsync()
    {
        _server = await ChatServer.StartAsync(Backend);
        _alice = await _server.LoginAsync("alice");
        _bob = await _server.LoginAsync("bob");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private long Now => _server.Time.GetUtcNow().ToUnixTimeMilliseconds();

    private async Task<JsonElement> BobAsync() => (await _alice.GetAsync("api/presence?users=bob")).GetProperty("bob");

    [Fact]
    public async Task AParkedPollIsOnlineAndTheGapBetweenPollsStaysOnlineForTheGracePeriod()
    {
        var poll = _bob.GetAsync($"api/poll?since={_bob.Cursor}&timeout=60");
        await _server.WaitForListenersAsync(s => s.ParkedPolls >= 1);
        _server.Time.Advance(TimeSpan.FromSeconds(30));
        var parked = await BobAsync();
        parked.GetProperty("online").GetBoolean().ShouldBeTrue();
        parked.Num("lastSeen").ShouldBe(Now); // open now

        await _alice.SendAsync("bob", "wake up");
        await poll.DefaultTimeout();
        await _server.WaitForParkedPollsAsync(0);
        var closedAt = Now;

        _server.Time.Advance(TimeSpan.FromSeconds(9)); // the gap before the next poll, inside the grace period
        var gap = await BobAsync();
        gap.GetProperty("online").GetBoolean().ShouldBeTrue();
        gap.Num("lastSeen").ShouldBe(closedAt);

        _server.Time.Advance(TimeSpan.FromSeconds(2)); // 11 s without a poll: beyond Chat:Presence:GraceSeconds
        var gone = await BobAsync();
        gone.GetProperty("online").GetBoolean().ShouldBeFalse();
        gone.Num("lastSeen").ShouldBe(closedAt);

        await _bob.GetAsync($"api/poll?since={_bob.Cursor}&timeout=0"); // polls again: back online
        (await BobAsync()).GetProperty("online").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task PresenceAnswersEveryAskedUserAndOverJsonp()
    {
        await _alice.GetAsync("api/messages"); // a short poll counts as seen
        var both = await _bob.JsonpAsync("api/presence?users=alice,bob,carol,alice");
        both.EnumerateObject().Select(p => p.Name).ShouldBe(["alice", "bob", "carol"]);
        both.GetProperty("alice").GetProperty("online").GetBoolean().ShouldBeTrue();
        both.GetProperty("alice").Num("lastSeen").ShouldBe(Now);
        both.GetProperty("carol").GetProperty("online").GetBoolean().ShouldBeFalse();
        both.GetProperty("carol").GetProperty("lastSeen").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Theory]
    [InlineData("", "'users'")]
    [InlineData("users=", "'users'")]
    [InlineData("users=alice,,bob", "'users'")]
    [InlineData("users=bad%20name", "'users'")]
    public async Task BadUserListsNameTheParameter(string query, string named)
    {
        (await _alice.GetAsync("api/presence?" + query, HttpStatusCode.BadRequest)).Detail().ShouldContain(named);
    }

    [Fact]
    public async Task AskingAboutTooManyUsersIsRefused()
    {
        var names = string.Join(",", Enumerable.Range(0, 101).Select(i => "u" + i));
        (await _alice.GetAsync("api/presence?users=" + names, HttpStatusCode.BadRequest)).Detail().ShouldContain("'users'");
        var hundred = string.Join(",", Enumerable.Range(0, 100).Select(i => "u" + i));
        (await _alice.GetAsync("api/presence?users=" + hundred)).EnumerateObject().Count().ShouldBe(100);
    }
}
