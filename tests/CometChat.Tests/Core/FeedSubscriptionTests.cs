using CometChat.Core;
using CometChat.Tests.Infrastructure;

namespace CometChat.Tests.Core;

/// <summary>The core loop against a real server's store and writer, without HTTP in between.</summary>
public class FeedSubscriptionTests : IAsyncLifetime
{
    private ChatServer _server = null!;

    protected virtual Dictionary<string, string?> Settings => [];

    public async Task InitializeAsync()
    {
        _server = await ChatServer.StartAsync(Settings);
        await _server.LoginAsync("alice");
        await _server.LoginAsync("bob");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task NoWakeUpIsLostBetweenReadAndPark()
    {
        var feed = _server.Get<Feed>();
        var waiters = _server.Get<FeedWaiters>();
        var sender = _server.Get<MessageSender>();
        using var sub = new FeedSubscription(feed, waiters, "bob", null, new Cursor(feed.Head), 10, ListenerKind.Stream);
        for (var i = 0; i < 1000; i++)
        {
            // Start the read and the send together so the commit lands anywhere around the park.
            var next = sub.NextAsync(CancellationToken.None);
            var sent = await sender.SendAsync("alice", new SendRequest("bob", "n" + i));
            var page = await next.DefaultTimeout();
            page.Messages.Select(m => m.Mid).ShouldBe([sent.Message.Mid]);
        }
    }

    [Fact]
    public async Task BatchesAreCappedAndTheCursorWalksEverything()
    {
        var feed = _server.Get<Feed>();
        var sender = _server.Get<MessageSender>();
        var start = feed.Head;
        var sends = await Task.WhenAll(Enumerable.Range(0, 25).Select(i => sender.SendAsync("alice", new SendRequest("bob", "b" + i))));
        using var sub = new FeedSubscription(feed, _server.Get<FeedWaiters>(), "bob", null, new Cursor(start), 10, ListenerKind.Stream);
        var seen = new List<long>();
        while (seen.Count < 25)
        {
            var page = await sub.NextAsync(CancellationToken.None).DefaultTimeout();
            page.Messages.Count.ShouldBeLessThanOrEqualTo(10);
            seen.AddRange(page.Messages.Select(m => m.Mid));
        }
        seen.ShouldBe(sends.Select(s => s.Message.Mid).Order().ToList());
    }

    [Fact]
    public async Task ConcurrentSendersGetStrictlyIncreasingMidsAndEveryOneIsDelivered()
    {
        var sender = _server.Get<MessageSender>();
        var results = await Task.WhenAll(Enumerable.Range(0, 500).Select(i =>
            sender.SendAsync(i % 2 == 0 ? "alice" : "bob", new SendRequest(i % 2 == 0 ? "bob" : "alice", "c" + i, Id: "id" + i))));
        results.Select(r => r.Message.Mid).Distinct().Count().ShouldBe(500);
        var page = await _server.Get<Feed>().ReadAfterAsync("bob", null, new Cursor(0), 500, CancellationToken.None);
        page.Messages.Count.ShouldBe(500);
        page.Messages.Select(m => m.Mid).ShouldBe(page.Messages.Select(m => m.Mid).Order().ToList());
    }
}

/// <summary>The same core tests with the recent-messages cache off: every read goes to the store.</summary>
public sealed class FeedSubscriptionWithoutCacheTests : FeedSubscriptionTests
{
    protected override Dictionary<string, string?> Settings => new() { ["Chat:RecentMessages"] = "0" };
}
