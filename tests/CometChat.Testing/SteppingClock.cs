using Microsoft.Extensions.Time.Testing;

namespace CometChat.Tests.Infrastructure;

/// <summary>
/// A server clock whose wall time can be set back (an NTP step, an operator's date command) while its monotonic
/// timestamps and timers keep following the FakeTimeProvider, as a real machine's do.
/// </summary>
internal sealed class SteppingClock(FakeTimeProvider fake) : TimeProvider
{
    /// <summary>The clock tests advance (<see cref="ChatServer.Time"/> of a server started on this one).</summary>
    public FakeTimeProvider Fake => fake;

    public TimeSpan WallOffset { get; set; }

    public override DateTimeOffset GetUtcNow() => fake.GetUtcNow() + WallOffset;
    public override long GetTimestamp() => fake.GetTimestamp();
    public override long TimestampFrequency => fake.TimestampFrequency;
    public override TimeZoneInfo LocalTimeZone => fake.LocalTimeZone;
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        fake.CreateTimer(callback, state, dueTime, period);
}
