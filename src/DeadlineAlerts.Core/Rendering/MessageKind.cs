namespace DeadlineAlerts.Core.Rendering;

/// <summary>
/// What one delivery says. The same text is the ledger's <c>Kind</c> column and the webhook payload's
/// <c>type</c> suffix (<c>deadline.alert</c>, <c>deadline.notice</c>, <c>deadline.digest</c>), so an operator
/// reading the ledger and a receiver reading the payload use one word per kind.
/// </summary>
public static class MessageKind
{
    /// <summary>A lead-time alert about one deadline ("7 days left"). Ledger rows older than kinds have no Kind and are alerts.</summary>
    public const string Alert = "alert";

    /// <summary>A change notice about one deadline: extended, moved earlier, resolved, cancelled. It has no lead time.</summary>
    public const string Notice = "notice";

    /// <summary>One message listing several upcoming deadlines with countdowns (<see cref="AlertView.Items"/>). It has no lead time.</summary>
    public const string Digest = "digest";

    public static readonly IReadOnlyList<string> All = [Alert, Notice, Digest];
}

/// <summary>What changed about a deadline, as a notice reports it.</summary>
public static class ChangeKind
{
    public const string Extended = "extended";
    public const string MovedEarlier = "moved-earlier";
    public const string Resolved = "resolved";
    public const string Cancelled = "cancelled";
}

/// <summary>
/// The facts of a change notice. <see cref="OldDue"/> and <see cref="NewDue"/> are the same instant for a
/// resolve or cancel (the due time did not move).
/// </summary>
public sealed record NoticeFacts(string Change, NodaTime.Instant OldDue, NodaTime.Instant NewDue, string? Reason, string By);

/// <summary>One line of a digest: a deadline with its countdown, in the subscriber's zone (<see cref="DueText"/>).</summary>
public sealed record MessageItem(string DeadlineId, string Title, string? Category, NodaTime.Instant DueAt, string Countdown, string DueText, bool Overdue);

/// <summary>Which digest a message is: the subscriber's choice ("every Monday at 08:00") and the period it covers.</summary>
public sealed record DigestFacts(Schedule.DigestChoice Choice, Schedule.DigestPeriod Period);
