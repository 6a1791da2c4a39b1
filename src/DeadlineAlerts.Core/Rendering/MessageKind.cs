namespace DeadlineAlerts.Core.Rendering;

/// <summary>
/// What one delivery says. Its wire name (<see cref="MessageKinds.Wire"/>) is the ledger's <c>Kind</c> column and
/// the webhook payload's <c>type</c> suffix (<c>deadline.alert</c>, <c>deadline.notice</c>, <c>deadline.digest</c>),
/// so an operator reading the ledger and a receiver reading the payload use one word per kind.
/// </summary>
public enum MessageKind
{
    /// <summary>A lead-time alert about one deadline ("7 days left"). Ledger rows older than kinds have no Kind and are alerts.</summary>
    Alert,

    /// <summary>A change notice about one deadline: extended, moved earlier, resolved, cancelled. It has no lead time.</summary>
    Notice,

    /// <summary>One message listing several upcoming deadlines with countdowns (<see cref="DigestMessage.Items"/>). It has no lead time.</summary>
    Digest,
}

public static class MessageKinds
{
    public static readonly IReadOnlyList<MessageKind> All = [MessageKind.Alert, MessageKind.Notice, MessageKind.Digest];

    /// <summary>The kind's one word on the wire and in storage: "alert", "notice", "digest".</summary>
    public static string Wire(this MessageKind kind) => kind switch
    {
        MessageKind.Alert => "alert",
        MessageKind.Notice => "notice",
        MessageKind.Digest => "digest",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>Reads a stored kind; null (rows older than kinds) is an alert; an unknown word is null.</summary>
    public static MessageKind? Parse(string? text) => text switch
    {
        null or "" or "alert" => MessageKind.Alert,
        "notice" => MessageKind.Notice,
        "digest" => MessageKind.Digest,
        _ => null,
    };
}

/// <summary>What changed about a deadline, as a notice reports it.</summary>
public static class ChangeKind
{
    public const string Extended = "extended";
    public const string MovedEarlier = "moved-earlier";
    public const string Resolved = "resolved";
    public const string Cancelled = "cancelled";
    /// <summary>
    /// The tz data changed the rules of the deadline's zone: the local due time is as the operator typed it, and
    /// the instant it means moved (<c>actor tzdb</c>; the reason names both tz data versions).
    /// </summary>
    public const string ZoneRules = "zone-rules";

    /// <summary>Actors that are the product itself, not a person: a notice names nobody for them.</summary>
    public static bool IsMachineActor(string? actor) =>
        actor is null or "" or "cli" or "api" or "import" or "tzdb" or "subscriber" or "delivery" or "system";
}

/// <summary>
/// The facts of a change notice. <see cref="OldDue"/> and <see cref="NewDue"/> are the same instant for a
/// resolve or cancel (the due time did not move).
/// </summary>
public sealed record NoticeFacts(string Change, NodaTime.Instant OldDue, NodaTime.Instant NewDue, string? Reason, string By);

/// <summary>One line of a digest: a deadline with its countdown, in the subscriber's zone (<see cref="DueText"/>).</summary>
public sealed record MessageItem(Records.DeadlineId DeadlineId, string Title, string? Category, NodaTime.Instant DueAt, string Countdown, string DueText, bool Overdue);

/// <summary>Which digest a message is: the subscriber's choice ("every Monday at 08:00") and the period it covers.</summary>
public sealed record DigestFacts(Schedule.DigestChoice Choice, Schedule.DigestPeriod Period);
