using NodaTime;

namespace DeadlineAlerts.Core.Time;

/// <summary>
/// The schedule clock behind <c>--now</c>: it reads <paramref name="start"/> when it is created and runs on with
/// real elapsed time from there, so a tick happens "at" that instant while leases and retry delays still pass.
/// Timestamps, timers and delays are the system's: a 30-second lease still takes 30 real seconds.
/// </summary>
public sealed class RunningTimeProvider(Instant start) : TimeProvider
{
    private readonly long _startedAt = TimeProvider.System.GetTimestamp();

    public Instant Start => start;

    public override DateTimeOffset GetUtcNow() => start.ToDateTimeOffset() + TimeProvider.System.GetElapsedTime(_startedAt);
}
