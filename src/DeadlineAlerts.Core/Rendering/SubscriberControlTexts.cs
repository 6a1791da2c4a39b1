namespace DeadlineAlerts.Core.Rendering;

/// <summary>
/// Every user-visible word of "Got it" (acknowledge) and "paused until" in one place: the link label the channels
/// show, the Got it page, the reasons the ledger and the audit log record. English for now; when messages come
/// from per-language resources these move there as they stand. Page texts are HTML fragments whose arguments the
/// caller has already HTML-encoded.
/// </summary>
public static class SubscriberControlTexts
{
    /// <summary>The label of the Got it link or button beside "Unsubscribe" (Slack, Teams, email, the page's button).</summary>
    public const string GotItLabel = "Got it";

    /// <summary>What Got it does, in a few words (email's text body puts it after the label).</summary>
    public const string GotItHint = "stop the remaining reminders of this deadline";

    // The Got it page (GET shows, POST acts).
    public const string PageAskTitle = "Got it?";
    public const string PageDoneTitle = "Got it";
    public const string PageAlreadyTitle = "Already acknowledged";
    public const string PageMovedTitle = "This deadline has moved";
    public const string PageNothingTitle = "Nothing to acknowledge";
    public const string PageRefusedTitle = "This link does not work";

    public static string PageAsk(string titleHtml, string dueHtml, string subscriberHtml) =>
        $"<p>Stop the remaining reminders about <strong>{titleHtml}</strong> (due {dueHtml}) for <strong>{subscriberHtml}</strong>, on all of its channels?</p>" +
        "<p>Change notices still come: if the deadline is extended or moved, you are told, and the reminders for the new time start again.</p>";

    public static string PageDone(string titleHtml, string dueHtml) =>
        $"<p>Done: no more reminders about <strong>{titleHtml}</strong> for the due time {dueHtml}. If it is extended or moved, you are told and the reminders start again.</p>";

    public static string PageAlready(string titleHtml, string dueHtml) =>
        $"<p>This was already done: no more reminders about <strong>{titleHtml}</strong> for the due time {dueHtml}.</p>";

    public static string PageMoved(string titleHtml, string oldDueHtml, string newDueHtml) =>
        $"<p><strong>{titleHtml}</strong> was due {oldDueHtml} when this message was sent; it is now due {newDueHtml}. " +
        "Nothing was changed: the reminders for the new time come as planned, and each carries its own Got it link.</p>";

    public const string PageNothing = "<p>There is nothing left to acknowledge: the deadline was resolved, cancelled or removed, or you no longer follow it.</p>";

    public const string PageRefused =
        "<p>This Got it link is not valid or has expired. Use the link in a recent message, or ask the people who run these alerts.</p>";

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
