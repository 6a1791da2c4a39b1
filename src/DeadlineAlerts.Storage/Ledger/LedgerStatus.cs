namespace DeadlineAlerts.Storage.Ledger;

/// <summary>Where one delivery stands. Its wire word (<see cref="LedgerStatuses.Wire"/>) is what `dla alerts` and the API show.</summary>
public enum LedgerStatus
{
    /// <summary>Written by the outbox, waiting to be sent (now, or at a held instant).</summary>
    Planned,
    /// <summary>Claimed by a worker, which holds it until <see cref="LedgerEntry.LeaseUntil"/>.</summary>
    Sending,
    /// <summary>A transient failure; tried again at <see cref="LedgerEntry.NextAttemptAt"/>.</summary>
    Retrying,
    Delivered,
    /// <summary>Permanent failure, attempts exhausted, or a record it needs is unreadable (<see cref="LedgerEntry.LastError"/>).</summary>
    Failed,
    /// <summary>Not sent by rule: late past its deadline, stale, broken channel.</summary>
    Skipped,
    /// <summary>Never to be sent: the deadline moved, was resolved or cancelled, or the subscriber changed.</summary>
    Cancelled,
    /// <summary>A newer alert of the same deadline for the same subscriber went instead (catch-up after downtime).</summary>
    Superseded,
    /// <summary>Not sent: the subscriber said "Got it" for this deadline's due instant (an extension or a move re-arms).</summary>
    Acknowledged,
}

public static class LedgerStatuses
{
    public static readonly IReadOnlyList<LedgerStatus> All = Enum.GetValues<LedgerStatus>();

    public static bool IsFinal(this LedgerStatus status) => status is not (LedgerStatus.Planned or LedgerStatus.Sending or LedgerStatus.Retrying);

    public static string Wire(this LedgerStatus status) => status.ToString().ToLowerInvariant();

    public static LedgerStatus? Parse(string? text) =>
        Enum.TryParse<LedgerStatus>(text, ignoreCase: true, out var s) && Enum.IsDefined(s) && !int.TryParse(text, out _) ? s : null;

    /// <summary>
    /// The one table of allowed moves. A final status never moves again; planned is only ever a starting point.
    /// <code>
    /// planned  → sending | cancelled | superseded | failed | acknowledged
    /// sending  → delivered | retrying | failed | cancelled | acknowledged | sending (a lease ran out: another worker re-claims)
    /// retrying → sending | cancelled | failed | acknowledged
    /// </code>
    /// </summary>
    public static bool CanMove(LedgerStatus from, LedgerStatus to) => (from, to) switch
    {
        (LedgerStatus.Planned, LedgerStatus.Sending or LedgerStatus.Cancelled or LedgerStatus.Superseded or LedgerStatus.Failed or LedgerStatus.Acknowledged) => true,
        (LedgerStatus.Sending, LedgerStatus.Delivered or LedgerStatus.Retrying or LedgerStatus.Failed or LedgerStatus.Cancelled or LedgerStatus.Acknowledged or LedgerStatus.Sending) => true,
        (LedgerStatus.Retrying, LedgerStatus.Sending or LedgerStatus.Cancelled or LedgerStatus.Failed or LedgerStatus.Acknowledged) => true,
        _ => false,
    };
}
