using NodaTime;

namespace DeadlineAlerts.Core.Pipeline;

/// <summary>
/// The instants one tick is responsible for: <c>(After, UpTo]</c>. Open at the start, so the instant a tick
/// ended on belongs to that tick and never to the next; closed at the end, so an alert firing exactly "now"
/// is this tick's. Consecutive ticks' windows tile the time line with no gap and no overlap.
/// </summary>
public readonly record struct TickWindow(Instant After, Instant UpTo)
{
    public bool Contains(Instant instant) => instant > After && instant <= UpTo;

    public bool IsEmpty => UpTo <= After;

    public Duration Length => UpTo - After;

    public override string ToString() => $"({NodaTime.Text.InstantPattern.ExtendedIso.Format(After)}, {NodaTime.Text.InstantPattern.ExtendedIso.Format(UpTo)}]";
}
