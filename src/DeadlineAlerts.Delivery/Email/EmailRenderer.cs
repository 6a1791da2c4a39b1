using System.Net;
using System.Security.Cryptography;
using System.Text;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Rendering;
using DeadlineAlerts.Delivery.Http;

namespace DeadlineAlerts.Delivery.Email;

/// <summary>
/// One email, rendered once and handed to whichever transport is configured. <see cref="OperationId"/> and
/// <see cref="MessageId"/> are derived from the alert and channel ids, so a retried send carries the same
/// identity (ACS deduplicates on the operation id; mail clients thread and dedupe on Message-Id).
/// </summary>
public sealed record RenderedEmail
{
    public required string To { get; init; }
    public required string ToName { get; init; }
    public required string Subject { get; init; }
    public required string PlainText { get; init; }
    public required string Html { get; init; }
    /// <summary>Extra headers (List-Unsubscribe...). Values contain no CR/LF.</summary>
    public required IReadOnlyDictionary<string, string> Headers { get; init; }
    public required Guid OperationId { get; init; }
    /// <summary>Without angle brackets: <c>al_...@domain</c>.</summary>
    public required string MessageId { get; init; }
    public required string AlertId { get; init; }
}

/// <summary>
/// Subject, HTML and plain text bodies from an <see cref="MessageView"/>. Every piece of record text in the
/// HTML goes through <see cref="WebUtility.HtmlEncode"/> (a title of <c>&lt;script&gt;</c> arrives as text);
/// the subject loses CR, LF and every other control or line-separator character, so a title cannot inject
/// headers. Subject, bodies and footer are in the subscriber's language (<see cref="MessageView.Language"/>), and the
/// HTML says which (<c>lang</c>), so a reader's mail client picks the right fonts for Chinese.
/// </summary>
public sealed class EmailRenderer(EmailOptions options)
{
    /// <summary>
    /// The view's signed <see cref="MessageView.UnsubscribeUrl"/> goes in both bodies and in
    /// <c>List-Unsubscribe</c>; an https one also gets <c>List-Unsubscribe-Post: List-Unsubscribe=One-Click</c>
    /// (RFC 8058 allows one-click only over https). Without one, the email has no unsubscribe link and no headers.
    /// </summary>
    public RenderedEmail Render(MessageView a, ChannelSpec channel)
    {
        var unsubscribe = LinkText.SafeHttpUrl(a.UnsubscribeUrl);
        return new RenderedEmail
        {
            To = channel.Target,
            ToName = SingleLine(a.SubscriberName),
            Subject = Subject(a),
            PlainText = PlainText(a, unsubscribe),
            Html = Html(a, unsubscribe),
            Headers = UnsubscribeHeaders(unsubscribe),
            OperationId = DeterministicGuid($"{a.MessageId.Value}\n{channel.Id}"),
            MessageId = $"{a.MessageId.Value}.{channel.Id}@{Domain(options.From)}",
            AlertId = a.MessageId.Value,
        };
    }

    /// <summary><c>List-Unsubscribe</c> for the link; <c>List-Unsubscribe-Post</c> too when it is https (RFC 8058 allows one-click only there).</summary>
    private static Dictionary<string, string> UnsubscribeHeaders(string? unsubscribe)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (unsubscribe is null) return headers;
        headers["List-Unsubscribe"] = $"<{unsubscribe}>";
        if (unsubscribe.StartsWith("https://", StringComparison.Ordinal)) headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click";
        return headers;
    }

    /// <summary>"7 days left: US-China tariff truce expires, Tue 12 Aug 00:01 EDT", on one line.</summary>
    public static string Subject(MessageView a) =>
        LinkText.Truncate(SingleLine(a.Headline + (a is AlertMessage { Late: true } ? a.T("alert.lateSuffix") : "")), 250);

    /// <summary>Control characters (CR, LF, tab, NUL...) and Unicode line/paragraph separators become spaces; runs collapse.</summary>
    public static string SingleLine(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            var blank = char.IsControl(c) || c is '\u2028' or '\u2029' or '\u0085';
            if (blank || char.IsWhiteSpace(c)) { if (sb.Length > 0 && sb[^1] != ' ') sb.Append(' '); }
            else sb.Append(c);
        }
        return sb.ToString().Trim();
    }

    public static string PlainText(MessageView a, string? unsubscribe)
    {
        var sb = new StringBuilder();
        sb.Append(a.PlainText).Append('\n');
        if (a is AlertMessage alert)
        {
            sb.Append(a.Line("label.countdown", alert.Countdown)).Append('\n');
            sb.Append(a.Line("label.leadTime", alert.LeadWords)).Append(alert.Late ? a.T("alert.lateNote") : "").Append('\n');
            if (!string.IsNullOrWhiteSpace(alert.Notes)) sb.Append('\n').Append(alert.Notes.Trim()).Append('\n');
        }
        sb.Append("\n--\n").Append(Footer(a)).Append(unsubscribe is null ? "" : " " + a.Line("link.unsubscribe", unsubscribe)).Append('\n');
        return sb.ToString();
    }

    public static string Html(MessageView a, string? unsubscribe)
    {
        static string E(string? s) => WebUtility.HtmlEncode(s ?? "");
        var rows = new StringBuilder();
        void Row(string label, string valueHtml, string color = "#555") =>
            rows.Append($"<tr><th align=\"left\" style=\"padding:2px 12px 2px 0;color:{color}\">{E(label)}</th><td style=\"padding:2px 0\">{valueHtml}</td></tr>\n");
        void SourceRow()
        {
            if (LinkText.SafeHttpUrl(a.Source) is { } url) Row(a.T("label.source"), $"<a href=\"{E(url)}\">{E(LinkText.Truncate(a.Source!.Trim(), 120))}</a>");
            else if (!string.IsNullOrWhiteSpace(a.Source)) Row(a.T("label.source"), E(a.Source));
        }
        string lead, notes = "";
        switch (a)
        {
            case NoticeMessage n:
                lead = n.Headline;
                foreach (var (label, value) in n.FactRows) Row(label, E(value));
                if (n.Category is { } nc) Row(a.T("label.category"), E(nc));
                SourceRow();
                break;
            case DigestMessage d:
                lead = d.Summary;
                foreach (var item in d.Items)
                    Row(item.Overdue ? a.T("digest.overdueBy", ("time", item.Countdown)) : item.Countdown,
                        E(a.T("digest.titleDue", ("title", item.Title), ("due", item.DueText))), item.Overdue ? "#b00" : "#555");
                break;
            case AlertMessage alert:
                lead = alert.Headline;
                Row(a.T("label.countdown"), $"<strong>{E(alert.Countdown)}</strong>");
                Row(a.T("label.due"), E(alert.DueInDeadlineZone));
                if (alert.ShowsSubscriberZone) Row(a.T("label.yourTime"), E(alert.DueInSubscriberZone));
                Row(a.T("label.leadTime"), E(alert.LeadWords) + (alert.Late ? $" <em>{E(a.T("alert.lateNote").Trim())}</em>" : ""));
                if (alert.Category is { } c) Row(a.T("label.category"), E(c));
                SourceRow();
                if (!string.IsNullOrWhiteSpace(alert.Notes)) notes = $"<p style=\"white-space:pre-wrap\">{E(alert.Notes.Trim())}</p>\n";
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(a), a.GetType().Name, "not a message this channel knows");
        }

        var unsubscribeLink = unsubscribe is null ? "" : $" <a href=\"{E(unsubscribe)}\">{E(a.T("link.unsubscribe"))}</a>";
        var lang = ReferenceEquals(a.Language, MessageLanguage.English) ? "" : $" lang=\"{E(a.Language.Culture.Name)}\"";
        return $"""
            <!DOCTYPE html>
            <html{lang}><head><meta charset="utf-8"><title>{E(Subject(a))}</title></head>
            <body style="font-family:Segoe UI,Helvetica,Arial,sans-serif;font-size:15px;color:#222">
            <h1 style="font-size:20px;margin:0 0 4px">{E(a.Title)}</h1>
            <p style="margin:0 0 12px;color:#555">{E(lead)}</p>
            <table role="presentation" cellspacing="0" cellpadding="0">
            {rows}</table>
            {notes}<p style="margin-top:24px;font-size:12px;color:#777">{E(Footer(a))}{unsubscribeLink}</p>
            </body></html>
            """;
    }

    /// <summary>Why the reader gets this email: "You receive this digest every Monday at 08:00 (Europe/Stockholm)." for a digest.</summary>
    private static string Footer(MessageView a) => a is DigestMessage d
        ? a.T("email.footer.digest", ("choice", d.Every), ("zone", a.SubscriberZone.Id))
        : a.T("email.footer.deadline");

    private static string Domain(string? from) =>
        from is not null && from.LastIndexOf('@') is var at and > 0 && at < from.Length - 1 ? from[(at + 1)..].Trim().ToLowerInvariant() : "deadline-alerts.invalid";

    /// <summary>A UUID (version 8, RFC 9562 "custom") from the SHA-256 of <paramref name="key"/>: same key, same id, in every process.</summary>
    public static Guid DeterministicGuid(string key)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("deadline-alerts/email/" + key));
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }
}
