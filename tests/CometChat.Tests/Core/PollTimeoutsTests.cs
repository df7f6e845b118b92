using CometChat.Core;
using Microsoft.Extensions.Time.Testing;

namespace CometChat.Tests.Core;

/// <summary>The one timer of every parked poll: each expires at its own deadline, an ended one never, all at shutdown.</summary>
public sealed class PollTimeoutsTests
{
    private sealed class Lifetime : IHostApplicationLifetime, IDisposable
    {
        private readonly CancellationTokenSource _stopping = new();
        public CancellationToken ApplicationStarted => CancellationToken.None;
        public CancellationToken ApplicationStopping => _stopping.Token;
        public CancellationToken ApplicationStopped => CancellationToken.None;
        public void StopApplication() => _stopping.Cancel();
        public void Dispose() => _stopping.Dispose();
    }

    private static FeedListener Listener(string user) => new(user, null, ListenerKind.Poll);

    [Fact]
    public void EachPollExpiresAtItsOwnDeadlineAndAnEndedOneNever()
    {
        var time = new FakeTimeProvider();
        using var lifetime = new Lifetime();
        using var timeouts = new PollTimeouts(time, lifetime);
        var a = Listener("a"); var b = Listener("b"); var c = Listener("c"); var d = Listener("d");
        timeouts.Start(a, TimeSpan.FromSeconds(25));
        time.Advance(TimeSpan.FromSeconds(1));
        timeouts.Start(b, TimeSpan.FromSeconds(25));
        timeouts.Start(c, TimeSpan.FromSeconds(5));
        timeouts.Start(d, TimeSpan.FromSeconds(10)).Dispose(); // answered before its timeout

        time.Advance(TimeSpan.FromMilliseconds(4999));     // t = 5.999 s
        c.Expired.ShouldBeFalse();
        time.Advance(TimeSpan.FromMilliseconds(1));
        c.Expired.ShouldBeTrue();                              // t = 6 s
        time.Advance(TimeSpan.FromSeconds(10));
        d.Expired.ShouldBeFalse();
        a.Expired.ShouldBeFalse();
        time.Advance(TimeSpan.FromSeconds(9));                 // t = 25 s
        a.Expired.ShouldBeTrue();
        b.Expired.ShouldBeFalse();
        time.Advance(TimeSpan.FromSeconds(1));                 // t = 26 s
        b.Expired.ShouldBeTrue();
        d.Expired.ShouldBeFalse();
    }

    [Fact]
    public void ShutdownExpiresEveryParkedPollAndEveryLaterOne()
    {
        var time = new FakeTimeProvider();
        using var lifetime = new Lifetime();
        using var timeouts = new PollTimeouts(time, lifetime);
        var parked = Enumerable.Range(0, 100).Select(i => Listener("u" + i)).ToList();
        foreach (var l in parked) timeouts.Start(l, TimeSpan.FromSeconds(60));
        lifetime.StopApplication();
        parked.ShouldAllBe(l => l.Expired);
        var late = Listener("late");
        timeouts.Start(late, TimeSpan.FromSeconds(60));
        late.Expired.ShouldBeTrue();
    }
}
