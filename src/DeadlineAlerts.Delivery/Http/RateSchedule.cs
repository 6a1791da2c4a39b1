namespace DeadlineAlerts.Delivery.Http;

/// <summary>
/// Pacing for one key (a webhook URL, a host, an ACS resource): the generic cell rate algorithm. Sends are
/// spaced <see cref="Interval"/> apart on average, with up to <see cref="Burst"/> let through back to back.
/// <see cref="Reserve"/> is pure arithmetic on the instant it is given, so the policy can be tested without
/// clocks; callers then wait the returned delay.
/// </summary>
public sealed class RateSchedule
{
    private readonly object _gate = new();
    private DateTimeOffset _theoreticalArrival = DateTimeOffset.MinValue;

    public TimeSpan Interval { get; }
    public int Burst { get; }

    public RateSchedule(double permitsPerPeriod, TimeSpan period, int burst = 1)
    {
        if (permitsPerPeriod <= 0) throw new ArgumentOutOfRangeException(nameof(permitsPerPeriod), permitsPerPeriod, "must be positive");
        if (burst < 1) throw new ArgumentOutOfRangeException(nameof(burst), burst, "must be at least 1");
        Interval = TimeSpan.FromTicks(Math.Max(1, (long)(period.Ticks / permitsPerPeriod)));
        Burst = burst;
    }

    /// <summary>
    /// Books the next slot at or after <paramref name="now"/> and returns how long to wait for it (zero when
    /// free now). When the wait would exceed <paramref name="maxWait"/> nothing is booked and the result says
    /// so: the caller reports a Retry after <see cref="Reservation.Wait"/> instead of blocking.
    /// </summary>
    public Reservation Reserve(DateTimeOffset now, TimeSpan maxWait)
    {
        lock (_gate)
        {
            var arrival = _theoreticalArrival > now ? _theoreticalArrival : now;
            var allowedAt = arrival - Interval * (Burst - 1);
            var wait = allowedAt > now ? allowedAt - now : TimeSpan.Zero;
            if (wait > maxWait) return new Reservation(false, wait);
            _theoreticalArrival = arrival + Interval;
            return new Reservation(true, wait);
        }
    }

    public readonly record struct Reservation(bool Granted, TimeSpan Wait);
}
