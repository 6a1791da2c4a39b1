using NodaTime;

namespace DeadlineAlerts.Core.Time;

/// <summary>
/// NodaTime's <see cref="IClock"/> read from a <see cref="TimeProvider"/>: the app registers it over the schedule
/// clock (<see cref="Clocks.Schedule"/>), so code doing NodaTime arithmetic asks <see cref="IClock"/> and still
/// reads the one clock <c>--now</c> moves.
/// </summary>
public sealed class TimeProviderClock(TimeProvider time) : IClock
{
    public TimeProvider Time => time;

    public Instant GetCurrentInstant() => Instant.FromDateTimeOffset(time.GetUtcNow());
}
