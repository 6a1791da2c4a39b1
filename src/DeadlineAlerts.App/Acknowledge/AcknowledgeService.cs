using DeadlineAlerts.App.Records;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Rendering;
using DeadlineAlerts.Storage.Acknowledgements;
using DeadlineAlerts.Storage.Audit;
using DeadlineAlerts.Storage.Records;
using NodaTime;

namespace DeadlineAlerts.App.Acknowledge;

/// <summary>Where a Got it stands for one (subscriber, deadline, due instant).</summary>
public enum AcknowledgeState
{
    /// <summary>It can be said: the deadline is active, still due then, and followed by the subscriber.</summary>
    Ready,
    /// <summary>Said already for this due instant.</summary>
    Already,
    /// <summary>The deadline is now due at another instant: nothing of the new time is acknowledged by an old link.</summary>
    Moved,
    /// <summary>Nothing to stop: the deadline or subscriber is gone, the deadline is resolved or cancelled, or no longer followed.</summary>
    Nothing,
}

/// <summary>What a Got it would do or did, with the records it is about (null when <see cref="AcknowledgeState.Nothing"/>).</summary>
public sealed record AcknowledgeTarget(AcknowledgeState State, Deadline? Deadline, Subscriber? Subscriber, Instant DueAt);

/// <summary>
/// "Got it": stops the remaining lead-time alerts of one deadline for one subscriber, on all of its channels, for
/// the due instant it is said for. It stores an <see cref="Acknowledgement"/> and one audit entry (who, what, when);
/// the tick then records each later alert of that due instant as <c>acknowledged</c> instead of sending it, and
/// delivery does the same for one already queued or retrying. Change notices are not lead-time alerts and still
/// come; an extension or a move makes a new due instant, whose alerts the old Got it does not cover.
/// Idempotent: saying it again changes nothing and says so.
/// </summary>
public sealed class AcknowledgeService(RecordStore records, AcknowledgementStore acknowledgements, AuditLog audit, IClock clock)
{
    /// <summary>The actor the audit log names for a Got it from a message's link.</summary>
    public const string LinkActor = "subscriber";

    /// <param name="dueAt">The due instant acknowledged (the link's); null: the deadline's current one (the operator's route).</param>
    public async Task<AcknowledgeTarget> PreviewAsync(SubscriberId subscriberId, DeadlineId deadlineId, Instant? dueAt, CancellationToken ct = default)
    {
        var deadline = (await records.GetDeadlineAsync(deadlineId.Value, ct))?.Value;
        var subscriber = (await records.GetSubscriberAsync(subscriberId.Value, ct))?.Value;
        if (deadline is null || subscriber is null || deadline.Status != DeadlineStatus.Active || !subscriber.Follows(deadline))
            return new AcknowledgeTarget(AcknowledgeState.Nothing, null, null, dueAt ?? Instant.MinValue);
        var due = dueAt ?? deadline.Due.Instant;
        if (due != deadline.Due.Instant) return new AcknowledgeTarget(AcknowledgeState.Moved, deadline, subscriber, due);
        var stored = await acknowledgements.GetAsync(deadlineId, subscriberId, due, ct);
        return new AcknowledgeTarget(stored is not null ? AcknowledgeState.Already : AcknowledgeState.Ready, deadline, subscriber, due);
    }

    /// <summary>Says Got it when it can be said; the answer is <see cref="AcknowledgeState.Ready"/> when this call stored it.</summary>
    public async Task<AcknowledgeTarget> AcknowledgeAsync(SubscriberId subscriberId, DeadlineId deadlineId, Instant? dueAt, string actor, CancellationToken ct = default)
    {
        var target = await PreviewAsync(subscriberId, deadlineId, dueAt, ct);
        if (target.State != AcknowledgeState.Ready) return target;
        var now = clock.GetCurrentInstant();
        if (!await acknowledgements.TryAddAsync(new Acknowledgement(deadlineId, subscriberId, target.DueAt, now, actor), ct))
            return target with { State = AcknowledgeState.Already };
        await audit.AppendAsync(AuditEntries.For(now, actor, AuditAction.Acknowledged, AuditEntries.SubscriberKind, subscriberId.Value, null, null) with
        {
            Summary = SubscriberControlTexts.AcknowledgedSummary(deadlineId.Value, TimeText.Iso(target.DueAt)),
        }, ct);
        return target;
    }
}
