using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Rendering;
using DeadlineAlerts.Core.Schedule;
using NodaTime;

namespace DeadlineAlerts.Core.Pipeline;

/// <summary>
/// What a producer (the tick for lead-time alerts, a milestone for change notices, the digest run) asks to be
/// sent: one message to one channel, and when. It says nothing about how: the outbox turns it into a ledger
/// row and a queue message, delivery composes and sends it. <see cref="Skip"/> set means "record that this
/// was not sent, and why" (a late alert whose deadline passed, a superseded catch-up alert).
/// </summary>
public sealed record Dispatch
{
    public required MessageId MessageId { get; init; }
    public required MessageKind Kind { get; init; }
    /// <summary>Empty for a digest, which is about several deadlines.</summary>
    public required DeadlineId DeadlineId { get; init; }
    public required SubscriberId SubscriberId { get; init; }
    public required ChannelId ChannelId { get; init; }
    public required string ChannelType { get; init; }
    /// <summary>Why the channel cannot be used (<see cref="Records.ChannelSpec.BrokenReason"/>): the outbox records the dispatch as skipped.</summary>
    public string? ChannelBroken { get; init; }
    /// <summary>When it is to be sent (after any quiet-hours hold).</summary>
    public required Instant SendAt { get; init; }
    /// <summary>The deadline's due instant (a digest: its send instant).</summary>
    public required Instant DueAt { get; init; }
    /// <summary>Where the ledger files it: the fire instant for alerts and notices, the period's day for a digest, so
    /// a digest whose hour the subscriber moves stays one row.</summary>
    public required Instant KeyAt { get; init; }
    public bool Late { get; init; }
    /// <summary>An alert's lead time (ISO 8601 text).</summary>
    public string? LeadTime { get; init; }
    /// <summary>A notice's history entry id.</summary>
    public string? Ref { get; init; }
    /// <summary>A digest's period (<see cref="DigestPeriod.Key"/>).</summary>
    public string? DigestPeriod { get; init; }
    public DispatchSkip? Skip { get; init; }

    public static Dispatch ForAlert(PlannedAlert alert, Records.ChannelSpec channel, bool late, DispatchSkip? skip = null) => new()
    {
        MessageId = alert.Id,
        Kind = MessageKind.Alert,
        DeadlineId = alert.DeadlineId,
        SubscriberId = alert.SubscriberId,
        ChannelId = channel.Id,
        ChannelType = channel.Type,
        ChannelBroken = channel.BrokenReason,
        SendAt = alert.FireAt,
        DueAt = alert.DueAt,
        KeyAt = alert.FireAt,
        Late = late,
        LeadTime = alert.LeadTime.Text,
        Skip = skip,
    };
}

/// <summary>Why a dispatch is recorded but not sent.</summary>
public enum SkipKind
{
    /// <summary>Not sent by rule (late past its deadline, stale, broken channel).</summary>
    Skipped,
    /// <summary>A newer alert of the same deadline for the same subscriber goes instead (catch-up after downtime).</summary>
    Superseded,
    /// <summary>The subscriber said "Got it" for this deadline's due instant: its remaining lead-time alerts are not sent.</summary>
    Acknowledged,
    /// <summary>It could not be planned: a record it needs is unreadable. Recorded as failed with the reason.</summary>
    Unreadable,
}

public sealed record DispatchSkip(SkipKind Kind, string Reason);
