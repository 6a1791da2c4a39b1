namespace DeadlineAlerts.Core.Rendering;

/// <summary>
/// The reasons the ledger and the audit log record for "Got it" (acknowledge) and "paused until", in one place. These
/// are for operators and stay English. What subscribers read (the Got it link's label and hint, the Got it page) comes
/// from the language files: <c>link.gotIt</c>, <c>link.gotItHint</c>, <c>page.gotIt.*</c>.
/// </summary>
public static class SubscriberControlTexts
{
    /// <summary>The ledger's reason for an alert not sent because of Got it.</summary>
    public static string AcknowledgedReason(string by, string atIso, string dueIso) =>
        $"acknowledged: {by} said Got it at {atIso} for the due time {dueIso}";

    /// <summary>The audit log's summary of a Got it.</summary>
    public static string AcknowledgedSummary(string deadlineId, string dueIso) =>
        $"acknowledged deadline {deadlineId} due {dueIso}: its remaining lead-time alerts stop on every channel (an extension or a move re-arms them)";

    /// <summary>The ledger's reason for an alert that fell in a pause and whose deadline was due before the pause ended.</summary>
    public static string PausedSkipReason(string untilIso) =>
        $"paused until {untilIso}: the deadline is due before the pause ends, so the alert was not sent";

    /// <summary>The audit log's summary of a pause set or lifted through the API.</summary>
    public static string PausedSummary(string untilIso) => $"paused until {untilIso}";
    public const string ResumedSummary = "pause lifted: alerts go out as planned again";
}
