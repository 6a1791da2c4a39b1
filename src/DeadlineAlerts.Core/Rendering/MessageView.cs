using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Schedule;
using System.Diagnostics.CodeAnalysis;
using NodaTime;

namespace DeadlineAlerts.Core.Rendering;

/// <summary>
/// Everything a channel needs to say in one message, computed once. Every channel renders from this view, so
/// Slack, Teams, email and webhooks state the same facts. It is one of three messages, and a channel renders
/// each with one <c>switch</c> on the type:
/// <list type="bullet">
/// <item><see cref="AlertMessage"/>: a lead-time alert about one deadline ("7 days left").</item>
/// <item><see cref="NoticeMessage"/>: a change to one deadline (<see cref="DueAt"/> is the due instant after the change).</item>
/// <item><see cref="DigestMessage"/>: several deadlines; the deadline fields are empty, <see cref="Title"/> names
/// the digest and <see cref="FireAt"/> is the period's send instant.</item>
/// </list>
/// </summary>
public abstract record MessageView
{
    /// <summary>For object initializers; the factories of the subtypes fill what every message about one deadline states.</summary>
    protected MessageView() { }

    /// <summary>What every message about one deadline to one subscriber states, whatever its kind.</summary>
    [SetsRequiredMembers]
    protected MessageView(MessageId id, Deadline deadline, Subscriber subscriber, Instant dueAt, Instant fireAt, Instant now)
    {
        MessageId = id;
        DeadlineId = deadline.Id;
        Title = deadline.Title;
        Category = deadline.Category;
        Source = deadline.Source;
        Notes = deadline.Notes;
        SubscriberId = subscriber.Id;
        SubscriberName = subscriber.Name;
        DueAt = dueAt;
        DeadlineZone = deadline.Due.Zone;
        SubscriberZone = subscriber.TimeZone ?? deadline.Due.Zone;
        FireAt = fireAt;
        Now = now;
        Language = MessageLanguage.For(subscriber.Locale);
    }

    /// <summary>Which of the three it is, for the ledger and the wire (<see cref="MessageKinds.Wire"/>).</summary>
    public abstract MessageKind Kind { get; }
    /// <summary>The message's deterministic id (alert, notice or digest id): the webhook's Idempotency-Key.</summary>
    public required MessageId MessageId { get; init; }
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
    public required Instant FireAt { get; init; }
    /// <summary>The instant the countdown is measured from: the fire instant for a message on time (so a
    /// P7D alert says "7 days left"), the actual moment for a late one (so it says how little is left).</summary>
    public required Instant Now { get; init; }
    /// <summary>Sent after its planned instant (an alert or a digest; a notice is never late).</summary>
    public bool Late { get; init; }

    /// <summary>
    /// A signed link that removes the channel this message goes to (set by delivery per channel); null when the
    /// installation has no signing key or public URL, and then channels show no unsubscribe link at all.
    /// </summary>
    public string? UnsubscribeUrl { get; init; }

    /// <summary>
    /// The subscriber's language (<see cref="Subscriber.Locale"/>): every word and date of the message, in every
    /// channel, comes from it. English with invariant dates when the subscriber has no locale.
    /// </summary>
    public MessageLanguage Language { get; init; } = MessageLanguage.English;

    /// <summary>Shorthand for the channels: <c>T("label.due")</c> is "Due", "截止时间", "Förfaller".</summary>
    public string T(string key, params (string Name, object Value)[] values) => Language.Text(key, values);

    /// <summary>"Label: value" as the language writes it ("截止时间：…" with a full-width colon).</summary>
    public string Line(string labelKey, string value) => Language.Text("line", ("label", Language.Text(labelKey)), ("value", value));

    public string Countdown => Rendering.Countdown.Text(Now, DueAt, Language);
    public string DueInDeadlineZone => TimeText.Full(DueAt, DeadlineZone, Language);
    public string DueInSubscriberZone => TimeText.Full(DueAt, SubscriberZone, Language);
    public string DueBrief => TimeText.Brief(DueAt, DeadlineZone, Language);
    public bool ShowsSubscriberZone => SubscriberZone.Id != DeadlineZone.Id;

    /// <summary>
    /// One line per kind. Alert: "7 days left: US-China tariff truce expires, Tue 12 Aug 00:01 EDT".
    /// Notice: "Extended by 90 days: US-China tariff truce expires, now Mon 10 Nov 00:01 EST (was Tue 12 Aug 00:01 EDT)",
    /// "Resolved: ...". Digest: "Weekly deadline digest, Mon 27 Oct 08:00 CET: 3 deadlines in the next 60 days".
    /// </summary>
    public abstract string Headline { get; }

    /// <summary>The "Your time" line in the subscriber's zone (only shown when it differs from the deadline's).</summary>
    public virtual string YourTime => DueInSubscriberZone;

    /// <summary>The plain text every channel can fall back to.</summary>
    public abstract string PlainText { get; }

    /// <summary>The source line that ends an alert's or a notice's plain text, when the deadline has a source.</summary>
    private protected string WithSource(IEnumerable<string> lines) =>
        string.Join("\n", string.IsNullOrWhiteSpace(Source) ? lines : lines.Append(Line("label.source", Source)));

    /// <summary>
    /// How far a due time moved, counted on the deadline's local calendar: 12 Aug 00:01 EDT → 10 Nov 00:01 EST
    /// is "90 days" although 90 days and 1 hour pass, because the operator moved it by 90 calendar days.
    /// </summary>
    public static string ShiftWords(Instant from, Instant to, DateTimeZone zone) => ShiftWords(from, to, zone, MessageLanguage.English);

    /// <summary><see cref="ShiftWords(Instant, Instant, DateTimeZone)"/> in <paramref name="language"/>.</summary>
    public static string ShiftWords(Instant from, Instant to, DateTimeZone zone, MessageLanguage language)
    {
        var a = from.InZone(zone).LocalDateTime;
        var b = to.InZone(zone).LocalDateTime;
        var p = a <= b ? Period.Between(a, b, PeriodUnits.Days | PeriodUnits.Hours | PeriodUnits.Minutes)
            : Period.Between(b, a, PeriodUnits.Days | PeriodUnits.Hours | PeriodUnits.Minutes);
        return Rendering.Countdown.Words(Duration.FromDays(p.Days) + Duration.FromHours(p.Hours) + Duration.FromMinutes(p.Minutes), language);
    }

    private protected string Capital(string s) => Language.Capital(s);
}

/// <summary>A lead-time alert about one deadline: "7 days left: US-China tariff truce expires, Tue 12 Aug 00:01 EDT".</summary>
public sealed record AlertMessage : MessageView
{
    public AlertMessage() { }

    /// <summary>The alert <paramref name="alert"/> plans; when <paramref name="late"/> its countdown is measured from <paramref name="now"/>.</summary>
    [SetsRequiredMembers]
    public AlertMessage(PlannedAlert alert, Deadline deadline, Subscriber subscriber, Instant now, bool late)
        : base(alert.Id, deadline, subscriber, alert.DueAt, alert.FireAt, late ? now : alert.FireAt)
    {
        LeadTime = alert.LeadTime;
        Late = late;
    }

    public override MessageKind Kind => MessageKind.Alert;

    /// <summary>The lead time it fires at; null only for an operator's test message, which is about no deadline.</summary>
    public LeadTime? LeadTime { get; init; }

    public override string Headline => T("alert.headline", ("countdown", Capital(Countdown)), ("title", Title), ("due", DueBrief));

    /// <summary>The lead time as the subscriber reads it: "7 days before", "提前7天", "7 dagar före".</summary>
    public string LeadWords => LeadTime is { } lead ? Rendering.Countdown.LeadWords(lead, Language) : "";

    public override string PlainText => WithSource(ShowsSubscriberZone
        ? [Headline + (Late ? T("alert.lateSuffix") : ""), Line("label.due", DueInDeadlineZone), Line("label.yourTime", DueInSubscriberZone)]
        : [Headline + (Late ? T("alert.lateSuffix") : ""), Line("label.due", DueInDeadlineZone)]);
}

/// <summary>A change to one deadline: extended, moved earlier, resolved, cancelled, or its zone's rules changed.</summary>
public sealed record NoticeMessage : MessageView
{
    public NoticeMessage() { }

    /// <summary>
    /// A change notice about <paramref name="deadline"/> as it is after the change. The countdown is measured
    /// from the change itself (<paramref name="changedAt"/>), so a notice delivered after a retry still states
    /// what was true when the operator acted.
    /// </summary>
    [SetsRequiredMembers]
    public NoticeMessage(MessageId id, NoticeFacts notice, Deadline deadline, Subscriber subscriber, Instant changedAt)
        : base(id, deadline, subscriber, notice.NewDue, changedAt, changedAt)
    {
        Notice = notice;
    }

    public override MessageKind Kind => MessageKind.Notice;

    public required NoticeFacts Notice { get; init; }

    public override string Headline
    {
        get
        {
            var n = Notice;
            var was = TimeText.Brief(n.OldDue, DeadlineZone, Language);
            return n.Change switch
            {
                ChangeKind.Extended or ChangeKind.MovedEarlier => T(n.Change == ChangeKind.Extended ? "notice.extended" : "notice.movedEarlier",
                    ("shift", ShiftWords(n.OldDue, n.NewDue, DeadlineZone, Language)), ("title", Title), ("due", DueBrief), ("was", was)),
                ChangeKind.ZoneRules => T(n.NewDue < n.OldDue ? "notice.zoneRules.earlier" : "notice.zoneRules.later",
                    ("zone", DeadlineZone.Id), ("title", Title), ("due", DueBrief), ("utc", TimeText.Brief(n.NewDue, DateTimeZone.Utc, Language)),
                    ("shift", Rendering.Countdown.Words(n.NewDue > n.OldDue ? n.NewDue - n.OldDue : n.OldDue - n.NewDue, Language))),
                ChangeKind.Resolved => T("notice.resolved", ("title", Title), ("was", was)),
                ChangeKind.Cancelled => T("notice.cancelled", ("title", Title), ("was", was)),
                _ => T("notice.changed", ("title", Title), ("due", DueBrief)),
            };
        }
    }

    public override string YourTime => Notice.OldDue != Notice.NewDue
        ? T("notice.nowWas", ("now", TimeText.Full(Notice.NewDue, SubscriberZone, Language)), ("was", TimeText.Brief(Notice.OldDue, SubscriberZone, Language)))
        : DueInSubscriberZone;

    /// <summary>The labelled facts of the notice, in order, for channels that show label/value rows; the label in the
    /// subscriber's language, the key (<c>label.reason</c>, <c>label.by</c>) for channels that treat a row apart.</summary>
    public IReadOnlyList<FactRow> FactRows
    {
        get
        {
            var n = Notice;
            var rows = new List<FactRow>();
            void Add(string key, string value) => rows.Add(new FactRow(key, T(key), value));
            if (n.Change == ChangeKind.ZoneRules)
            {
                Add("label.due", DueInDeadlineZone);
                Add("label.inUtc", T("notice.utcWas", ("now", TimeText.Brief(n.NewDue, DateTimeZone.Utc, Language)), ("was", TimeText.Brief(n.OldDue, DateTimeZone.Utc, Language))));
                Add("label.countdown", Countdown);
            }
            else if (n.OldDue != n.NewDue)
            {
                Add("label.nowDue", DueInDeadlineZone);
                Add("label.wasDue", TimeText.Full(n.OldDue, DeadlineZone, Language));
                Add("label.countdown", Countdown);
            }
            else Add("label.wasDue", DueInDeadlineZone);
            if (ShowsSubscriberZone) Add("label.yourTime", YourTime);
            if (!string.IsNullOrWhiteSpace(n.Reason)) Add(FactRow.ReasonKey, n.Reason.Trim());
            if (!ChangeKind.IsMachineActor(n.By)) Add(FactRow.ByKey, n.By);
            return rows;
        }
    }

    public override string PlainText =>
        WithSource(FactRows.Where(r => r.Key != FactRow.ByKey).Select(r => T("line", ("label", r.Label), ("value", r.Value))).Prepend(Headline));
}

/// <summary>One message listing several deadlines with countdowns, in the subscriber's zone.</summary>
public sealed record DigestMessage : MessageView
{
    public override MessageKind Kind => MessageKind.Digest;

    /// <summary>The digest's deadlines, soonest first.</summary>
    public required IReadOnlyList<MessageItem> Items { get; init; }
    /// <summary>The one-line summary ("3 deadlines in the next 60 days, 1 overdue").</summary>
    public required string Summary { get; init; }
    /// <summary>Which choice and period it was sent for.</summary>
    public required DigestFacts Digest { get; init; }

    /// <summary>
    /// Where every deadline the subscriber follows is listed (their signed calendar feed), for a digest a channel
    /// cannot show whole; null without links, and then the channel only counts what it left out.
    /// </summary>
    public string? FullListUrl { get; init; }

    public override string Headline => T("digest.headline", ("title", Title), ("summary", Summary));

    /// <summary>The digest's lines: "7 days left: title, Tue 12 Aug 12:01 CST" / "OVERDUE by 2 days: title, due ...".</summary>
    public IEnumerable<string> ItemLines => Items.Select(i => i.Overdue
        ? T("digest.itemOverdue", ("overdue", T("digest.overdueByLoud", ("time", i.Countdown))), ("title", i.Title), ("due", i.DueText))
        : T("digest.item", ("countdown", Capital(i.Countdown)), ("title", i.Title), ("due", i.DueText)));

    public override string PlainText => string.Join("\n", ItemLines.Select(l => "- " + l).Prepend(Headline));

    /// <summary>
    /// The digest of <paramref name="period"/> for <paramref name="subscriber"/> (who must have a digest and a zone):
    /// the active deadlines they follow that are overdue (due, and nobody has resolved or cancelled them) or due
    /// within <see cref="DigestChoice.Horizon"/>, soonest first, in the subscriber's zone. <paramref name="now"/> is
    /// the moment of sending; when <paramref name="late"/> the countdowns are measured from it, otherwise from the
    /// send instant, so a digest on time says "7 days left", not "6 days, 23 hours".
    /// </summary>
    public static DigestMessage Create(Subscriber subscriber, DigestPeriod period, IEnumerable<Deadline> deadlines, Instant now, bool late)
    {
        var choice = subscriber.Digest ?? throw new ArgumentException($"subscriber {subscriber.Id} has no digest", nameof(subscriber));
        var zone = subscriber.TimeZone ?? throw new ArgumentException($"subscriber {subscriber.Id} has no time zone", nameof(subscriber));
        var from = late ? now : period.SendAt;
        var language = MessageLanguage.For(subscriber.Locale);
        var items = deadlines
            .Where(d => d.Status == DeadlineStatus.Active && subscriber.Follows(d) && d.Due.Instant <= from + choice.Horizon)
            .OrderBy(d => d.Due.Instant).ThenBy(d => d.Id)
            .Select(d =>
            {
                var overdue = Rendering.Countdown.IsOverdue(d, from);
                var countdown = overdue ? Rendering.Countdown.Words(Rounded(from - d.Due.Instant), language) : Rendering.Countdown.Text(from, d.Due.Instant, language);
                return new MessageItem(d.Id, d.Title, d.Category, d.Due.Instant, countdown, TimeText.Brief(d.Due.Instant, zone, language), overdue);
            })
            .ToList();
        return new DigestMessage
        {
            MessageId = MessageId.ForDigest(subscriber.Id, period),
            Title = language.Text(choice.Every == DigestEvery.Day ? "digest.title.daily" : "digest.title.weekly", ("date", TimeText.Brief(period.SendAt, zone, language))),
            Language = language,
            SubscriberId = subscriber.Id,
            SubscriberName = subscriber.Name,
            DeadlineZone = zone,
            SubscriberZone = zone,
            FireAt = period.SendAt,
            Now = from,
            Late = late,
            Items = items,
            Summary = DigestSummary(items, choice.Horizon, language),
            Digest = new DigestFacts(choice, period),
        };
    }

    /// <summary>"3 deadlines in the next 60 days, 1 overdue".</summary>
    private static string DigestSummary(List<MessageItem> items, Duration horizon, MessageLanguage language)
    {
        var upcoming = items.Count(i => !i.Overdue);
        var overdue = items.Count - upcoming;
        var days = (int)horizon.TotalDays;
        var head = upcoming == 0 ? language.Text("digest.summary.none", ("days", days)) : language.Count("digest.summary", upcoming, ("days", days));
        return overdue > 0 ? language.Count("digest.summary.overdue", overdue, ("summary", head)) : head;
    }

    /// <summary>How often the subscriber gets it, in their language: "every Monday at 08:00", "每星期一 08:00", "varje måndag kl. 08:00".</summary>
    public string Every => Digest.Choice.Every == DigestEvery.Day
        ? T("digest.every.day", ("time", Digest.Choice.AtText))
        : T("digest.every.week", ("weekday", Language.DayName(Digest.Choice.On)), ("time", Digest.Choice.AtText));

    private static Duration Rounded(Duration d) => Duration.FromMinutes(Math.Round(d.TotalMinutes, MidpointRounding.AwayFromZero));
}

/// <summary>One labelled fact of a notice: <see cref="Key"/> says which it is whatever the language, <see cref="Label"/>
/// is what the reader sees.</summary>
public sealed record FactRow(string Key, string Label, string Value)
{
    public const string ReasonKey = "label.reason";
    public const string ByKey = "label.by";

    public void Deconstruct(out string label, out string value)
    {
        label = Label;
        value = Value;
    }
}
