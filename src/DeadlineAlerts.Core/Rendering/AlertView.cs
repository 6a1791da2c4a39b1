using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Schedule;
using NodaTime;

namespace DeadlineAlerts.Core.Rendering;

/// <summary>
/// Everything a channel needs to say in one message, computed once. Every channel renders from this view,
/// so Slack, Teams, email and webhooks state the same facts. <see cref="Kind"/> says which message it is:
/// <list type="bullet">
/// <item><see cref="MessageKind.Alert"/>: a lead-time alert about one deadline (<see cref="LeadTime"/> is set).</item>
/// <item><see cref="MessageKind.Notice"/>: a change to one deadline (<see cref="Notice"/> is set; <see cref="DueAt"/>
/// is the due instant after the change).</item>
/// <item><see cref="MessageKind.Digest"/>: several deadlines (<see cref="Items"/>, <see cref="Summary"/>, <see cref="Digest"/>);
/// the deadline fields are empty, <see cref="Title"/> names the digest and <see cref="FireAt"/> is the period's send instant.</item>
/// </list>
/// </summary>
public sealed record AlertView
{
    public MessageKind Kind { get; init; } = MessageKind.Alert;
    /// <summary>The message's deterministic id (alert, notice or digest id): the webhook's Idempotency-Key.</summary>
    public required AlertId AlertId { get; init; }
    public DeadlineId DeadlineId { get; init; } = new("");
    public required string Title { get; init; }
    public string? Category { get; init; }
    public string? Source { get; init; }
    public string? Notes { get; init; }
    public required SubscriberId SubscriberId { get; init; }
    public required string SubscriberName { get; init; }
    public Instant DueAt { get; init; }
    public DateTimeZone DeadlineZone { get; init; } = DateTimeZone.Utc;
    public required DateTimeZone SubscriberZone { get; init; }
    /// <summary>Only a lead-time alert has one.</summary>
    public LeadTime? LeadTime { get; init; }
    public required Instant FireAt { get; init; }
    /// <summary>The instant the countdown is measured from: the fire instant for an alert on time (so a
    /// P7D alert says "7 days left"), the actual moment for a late one (so it says how little is left).</summary>
    public required Instant Now { get; init; }
    public bool Late { get; init; }

    public NoticeFacts? Notice { get; init; }

    /// <summary>A digest's deadlines, soonest first; empty for other kinds.</summary>
    public IReadOnlyList<MessageItem> Items { get; init; } = [];
    /// <summary>A digest's one-line summary ("3 deadlines in the next 60 days, 1 overdue").</summary>
    public string? Summary { get; init; }
    /// <summary>Only a digest has one: which choice and period it was sent for.</summary>
    public DigestFacts? Digest { get; init; }

    /// <summary>
    /// A signed link that removes the channel this message goes to (set by delivery per channel); null when the
    /// installation has no signing key or public URL, and then channels show no unsubscribe link at all.
    /// </summary>
    public string? UnsubscribeUrl { get; init; }

    /// <summary>
    /// Where every deadline the subscriber follows is listed (their signed calendar feed), for a digest a channel
    /// cannot show whole; null without links, and then the channel only counts what it left out.
    /// </summary>
    public string? FullListUrl { get; init; }

    public string Countdown => Rendering.Countdown.Text(Now, DueAt);
    public string DueInDeadlineZone => TimeText.Full(DueAt, DeadlineZone);
    public string DueInSubscriberZone => TimeText.Full(DueAt, SubscriberZone);
    public string DueBrief => TimeText.Brief(DueAt, DeadlineZone);
    public bool ShowsSubscriberZone => SubscriberZone.Id != DeadlineZone.Id;

    /// <summary>
    /// One line per kind. Alert: "7 days left: US-China tariff truce expires, Tue 12 Aug 00:01 EDT".
    /// Notice: "Extended by 90 days: US-China tariff truce expires, now Mon 10 Nov 00:01 EST (was Tue 12 Aug 00:01 EDT)",
    /// "Resolved: ...". Digest: "Weekly deadline digest, Mon 27 Oct 08:00 CET: 3 deadlines in the next 60 days".
    /// </summary>
    public string Headline => Kind switch
    {
        MessageKind.Notice when Notice is { } n => NoticeHeadline(n),
        MessageKind.Digest => Summary is null ? Title : $"{Title}: {Summary}",
        _ => $"{Capital(Countdown)}: {Title}, {DueBrief}",
    };

    /// <summary>The "Your time" line in the subscriber's zone (only shown when it differs from the deadline's).</summary>
    public string YourTime => Kind == MessageKind.Notice && Notice is { } n && n.OldDue != n.NewDue
        ? $"{TimeText.Full(n.NewDue, SubscriberZone)} (was {TimeText.Brief(n.OldDue, SubscriberZone)})"
        : DueInSubscriberZone;

    /// <summary>The labelled facts of a notice, in order, for channels that show label/value rows.</summary>
    public IReadOnlyList<(string Label, string Value)> NoticeFactRows
    {
        get
        {
            if (Notice is not { } n) return [];
            var rows = new List<(string, string)>();
            if (n.Change == ChangeKind.ZoneRules)
            {
                rows.Add(("Due", DueInDeadlineZone));
                rows.Add(("In UTC", $"{TimeText.Brief(n.NewDue, DateTimeZone.Utc)}, was {TimeText.Brief(n.OldDue, DateTimeZone.Utc)}"));
                rows.Add(("Countdown", Countdown));
            }
            else if (n.OldDue != n.NewDue)
            {
                rows.Add(("Now due", DueInDeadlineZone));
                rows.Add(("Was due", TimeText.Full(n.OldDue, DeadlineZone)));
                rows.Add(("Countdown", Countdown));
            }
            else rows.Add(("Was due", DueInDeadlineZone));
            if (ShowsSubscriberZone) rows.Add(("Your time", YourTime));
            if (!string.IsNullOrWhiteSpace(n.Reason)) rows.Add(("Reason", n.Reason.Trim()));
            if (!ChangeKind.IsMachineActor(n.By)) rows.Add(("By", n.By));
            return rows;
        }
    }

    /// <summary>A digest's lines: "7 days left: title, Tue 12 Aug 12:01 CST" / "OVERDUE by 2 days: title, due ...".</summary>
    public IEnumerable<string> ItemLines => Items.Select(i =>
        i.Overdue ? $"OVERDUE by {i.Countdown}: {i.Title}, due {i.DueText}" : $"{Capital(i.Countdown)}: {i.Title}, {i.DueText}");

    /// <summary>The plain text every channel can fall back to.</summary>
    public string PlainText
    {
        get
        {
            var lines = new List<string>();
            switch (Kind)
            {
                case MessageKind.Notice:
                    lines.Add(Headline);
                    lines.AddRange(NoticeFactRows.Where(r => r.Label != "By").Select(r => $"{r.Label}: {r.Value}"));
                    break;
                case MessageKind.Digest:
                    lines.Add(Headline);
                    lines.AddRange(ItemLines.Select(l => "- " + l));
                    return string.Join("\n", lines);
                default:
                    lines.Add(Headline + (Late ? " (late alert)" : ""));
                    lines.Add($"Due: {DueInDeadlineZone}");
                    if (ShowsSubscriberZone) lines.Add($"Your time: {DueInSubscriberZone}");
                    break;
            }
            if (!string.IsNullOrWhiteSpace(Source)) lines.Add($"Source: {Source}");
            return string.Join("\n", lines);
        }
    }

    /// <summary>What every message about one deadline to one subscriber states, whatever its kind.</summary>
    private static AlertView About(AlertId id, Deadline deadline, Subscriber subscriber, Instant dueAt, Instant fireAt, Instant now) => new()
    {
        AlertId = id,
        DeadlineId = deadline.Id,
        Title = deadline.Title,
        Category = deadline.Category,
        Source = deadline.Source,
        Notes = deadline.Notes,
        SubscriberId = subscriber.Id,
        SubscriberName = subscriber.Name,
        DueAt = dueAt,
        DeadlineZone = deadline.Due.Zone,
        SubscriberZone = subscriber.TimeZone ?? deadline.Due.Zone,
        FireAt = fireAt,
        Now = now,
    };

    public static AlertView Create(PlannedAlert alert, Deadline deadline, Subscriber subscriber, Instant now, bool late) =>
        About(alert.Id, deadline, subscriber, alert.DueAt, alert.FireAt, late ? now : alert.FireAt) with
        {
            LeadTime = alert.LeadTime,
            Late = late,
        };

    /// <summary>
    /// A change notice about <paramref name="deadline"/> as it is after the change. The countdown is measured
    /// from the change itself (<paramref name="changedAt"/>), so a notice delivered after a retry still states
    /// what was true when the operator acted.
    /// </summary>
    public static AlertView CreateNotice(AlertId id, NoticeFacts notice, Deadline deadline, Subscriber subscriber, Instant changedAt) =>
        About(id, deadline, subscriber, notice.NewDue, changedAt, changedAt) with
        {
            Kind = MessageKind.Notice,
            Notice = notice,
        };

    /// <summary>
    /// The digest of <paramref name="period"/> for <paramref name="subscriber"/> (who must have a digest and a zone):
    /// the active deadlines they follow that are overdue (due, and nobody has resolved or cancelled them) or due
    /// within <see cref="DigestChoice.Horizon"/>, soonest first, in the subscriber's zone. <paramref name="now"/> is
    /// the moment of sending; when <paramref name="late"/> the countdowns are measured from it, otherwise from the
    /// send instant, so a digest on time says "7 days left", not "6 days, 23 hours".
    /// </summary>
    public static AlertView CreateDigest(Subscriber subscriber, DigestPeriod period, IEnumerable<Deadline> deadlines, Instant now, bool late)
    {
        var choice = subscriber.Digest ?? throw new ArgumentException($"subscriber {subscriber.Id} has no digest", nameof(subscriber));
        var zone = subscriber.TimeZone ?? throw new ArgumentException($"subscriber {subscriber.Id} has no time zone", nameof(subscriber));
        var from = late ? now : period.SendAt;
        var items = deadlines
            .Where(d => d.Status == DeadlineStatus.Active && subscriber.Follows(d) && d.Due.Instant <= from + choice.Horizon)
            .OrderBy(d => d.Due.Instant).ThenBy(d => d.Id)
            .Select(d =>
            {
                var overdue = Rendering.Countdown.IsOverdue(d, from);
                var countdown = overdue ? Rendering.Countdown.Words(Rounded(from - d.Due.Instant)) : Rendering.Countdown.Text(from, d.Due.Instant);
                return new MessageItem(d.Id, d.Title, d.Category, d.Due.Instant, countdown, TimeText.Brief(d.Due.Instant, zone), overdue);
            })
            .ToList();
        return new AlertView
        {
            Kind = MessageKind.Digest,
            AlertId = AlertId.ForDigest(subscriber.Id, period),
            Title = $"{(choice.Every == DigestEvery.Day ? "Daily" : "Weekly")} deadline digest, {TimeText.Brief(period.SendAt, zone)}",
            SubscriberId = subscriber.Id,
            SubscriberName = subscriber.Name,
            DeadlineZone = zone,
            SubscriberZone = zone,
            FireAt = period.SendAt,
            Now = from,
            Late = late,
            Items = items,
            Summary = DigestSummary(items, choice.Horizon),
            Digest = new DigestFacts(choice, period),
        };
    }

    /// <summary>"3 deadlines in the next 60 days, 1 overdue".</summary>
    private static string DigestSummary(IReadOnlyList<MessageItem> items, Duration horizon)
    {
        var upcoming = items.Count(i => !i.Overdue);
        var overdue = items.Count - upcoming;
        var days = (int)horizon.TotalDays;
        var head = upcoming switch
        {
            0 => $"No deadlines in the next {days} days",
            1 => $"1 deadline in the next {days} days",
            _ => $"{upcoming} deadlines in the next {days} days",
        };
        return overdue > 0 ? $"{head}, {overdue} overdue" : head;
    }

    private static Duration Rounded(Duration d) => Duration.FromMinutes(Math.Round(d.TotalMinutes, MidpointRounding.AwayFromZero));

    private string NoticeHeadline(NoticeFacts n)
    {
        var was = TimeText.Brief(n.OldDue, DeadlineZone);
        return n.Change switch
        {
            ChangeKind.Extended or ChangeKind.MovedEarlier =>
                $"{(n.Change == ChangeKind.Extended ? "Extended" : "Moved earlier")} by {ShiftWords(n.OldDue, n.NewDue, DeadlineZone)}: {Title}, now {DueBrief} (was {was})",
            ChangeKind.ZoneRules =>
                $"Time zone rules for {DeadlineZone.Id} changed: {Title} is due {DueBrief}, which is now {TimeText.Brief(n.NewDue, DateTimeZone.Utc)}, "
                + $"{Rendering.Countdown.Words(n.NewDue > n.OldDue ? n.NewDue - n.OldDue : n.OldDue - n.NewDue)} {(n.NewDue < n.OldDue ? "earlier" : "later")} than announced",
            ChangeKind.Resolved => $"Resolved: {Title} (was due {was})",
            ChangeKind.Cancelled => $"Cancelled: {Title} (was due {was})",
            _ => $"Changed: {Title}, {DueBrief}",
        };
    }

    /// <summary>
    /// How far a due time moved, counted on the deadline's local calendar: 12 Aug 00:01 EDT → 10 Nov 00:01 EST
    /// is "90 days" although 90 days and 1 hour pass, because the operator moved it by 90 calendar days.
    /// </summary>
    public static string ShiftWords(Instant from, Instant to, DateTimeZone zone)
    {
        var a = from.InZone(zone).LocalDateTime;
        var b = to.InZone(zone).LocalDateTime;
        var p = a <= b ? Period.Between(a, b, PeriodUnits.Days | PeriodUnits.Hours | PeriodUnits.Minutes)
            : Period.Between(b, a, PeriodUnits.Days | PeriodUnits.Hours | PeriodUnits.Minutes);
        return Rendering.Countdown.Words(Duration.FromDays(p.Days) + Duration.FromHours(p.Hours) + Duration.FromMinutes(p.Minutes));
    }

    private static string Capital(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}
