using DeadlineAlerts.Core.Schedule;
using NodaTime;

namespace DeadlineAlerts.Core.Records;

/// <summary>Someone who wants to be told: in their own zone, about the deadlines they follow.</summary>
public sealed record Subscriber
{
    public required SubscriberId Id { get; init; }
    public required string Name { get; init; }

    /// <summary>IANA zone in which this subscriber reads times; null means "the deadline's zone".</summary>
    public DateTimeZone? TimeZone { get; init; }

    /// <summary>
    /// The language and date conventions of this subscriber's messages and pages (BCP 47, checked against ICU by
    /// <see cref="Time.Locales"/>: <c>zh-CN</c>, <c>sv</c>); null means English. See <see cref="Rendering.MessageLanguage"/>.
    /// </summary>
    public System.Globalization.CultureInfo? Locale { get; init; }

    public IReadOnlyList<string> Categories { get; init; } = [];
    public IReadOnlyList<DeadlineId> DeadlineIds { get; init; } = [];

    /// <summary>When not empty, replaces the deadline's lead times for this subscriber.</summary>
    public IReadOnlyList<LeadTime> LeadTimes { get; init; } = [];

    public IReadOnlyList<ChannelSpec> Channels { get; init; } = [];

    /// <summary>When lead-time alerts wait (see <see cref="Schedule.QuietHours"/>); null for none.</summary>
    public QuietHours? QuietHours { get; init; }
    /// <summary>A daily or weekly summary in <see cref="TimeZone"/> (required with a digest); null for none.</summary>
    public DigestChoice? Digest { get; init; }

    /// <summary>
    /// Until when lead-time alerts wait (a vacation, a busy week); null for none. Alerts that would fire in
    /// <c>[PausedSince, PausedUntil)</c> are held to <see cref="PausedUntil"/> when their deadline is still ahead
    /// then, else recorded as skipped (<see cref="Schedule.AlertPlanner.PauseHold"/>); change notices follow the
    /// urgent rule of <see cref="QuietHours"/>.
    /// </summary>
    public Instant? PausedUntil { get; init; }

    /// <summary>
    /// When the current pause was set (server-owned, like <see cref="CreatedAt"/>): alerts that fired before it
    /// were already sent, and are not held again to the pause's end.
    /// </summary>
    public Instant? PausedSince { get; init; }

    /// <summary>True when an alert firing at <paramref name="at"/> falls in the pause.</summary>
    public bool IsPausedAt(Instant at) => PausedUntil is { } until && at < until && at >= (PausedSince ?? Instant.MinValue);

    /// <summary>When the subscriber was first stored (see <see cref="Deadline.ArmedAt"/>).</summary>
    public Instant CreatedAt { get; init; }

    /// <summary>The zone this subscriber reads <paramref name="deadline"/>'s times in, and keeps quiet hours in.</summary>
    public DateTimeZone ZoneFor(Deadline deadline) => TimeZone ?? deadline.Due.Zone;

    public bool Follows(Deadline deadline) =>
        DeadlineIds.Contains(deadline.Id) ||
        (deadline.Category is { } c && Categories.Contains(c, StringComparer.OrdinalIgnoreCase));
}
