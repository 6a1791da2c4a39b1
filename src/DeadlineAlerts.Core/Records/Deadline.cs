using DeadlineAlerts.Core.Schedule;
using NodaTime;

namespace DeadlineAlerts.Core.Records;

public enum DeadlineStatus { Active, Resolved, Cancelled }

/// <summary>
/// A deadline as the operator keeps it. <see cref="Due"/> holds both what the operator typed
/// (local date-time in an IANA zone) and the instant that it means.
/// </summary>
public sealed record Deadline
{
    public required DeadlineId Id { get; init; }
    public required string Title { get; init; }
    public required DueTime Due { get; init; }
    public string? Category { get; init; }
    public IReadOnlyList<LeadTime> LeadTimes { get; init; } = [];
    public string? Source { get; init; }
    public string? Notes { get; init; }
    public DeadlineStatus Status { get; init; } = DeadlineStatus.Active;

    /// <summary>
    /// The repeat rule (RFC 5545 RRULE), or null for a deadline that happens once. For a recurring deadline
    /// <see cref="Due"/> is the series' first occurrence; each occurrence is a deadline instance of its own
    /// (<see cref="Occurrences"/>), with its own alerts, ledger rows and countdown.
    /// </summary>
    public Recurrence? Recurrence { get; init; }

    /// <summary>
    /// Set on an instance of a recurring deadline (<see cref="Occurrences"/>): the instant the rule gives this occurrence,
    /// which names it even after it was moved (RFC 5545's RECURRENCE-ID). Null on the stored record.
    /// </summary>
    public Instant? OccurrenceOf { get; init; }

    /// <summary>
    /// When the current due instant was first stored. Alerts that would have fired before this moment
    /// are never sent: adding a deadline 3 days away must not produce a stale "30 days left".
    /// </summary>
    public Instant ArmedAt { get; init; }

    /// <summary>Extensions, moves, resolutions and cancellations, oldest first (see <see cref="HistoryEntry"/>).</summary>
    public IReadOnlyList<HistoryEntry> History { get; init; } = [];
}
