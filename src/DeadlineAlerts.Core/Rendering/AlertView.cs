using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Schedule;
using NodaTime;

namespace DeadlineAlerts.Core.Rendering;

/// <summary>
/// Everything a channel needs to say about one alert, computed once. Every channel renders from this
/// view, so Slack, Teams, email and webhooks state the same facts.
/// </summary>
public sealed record AlertView
{
    public required AlertId AlertId { get; init; }
    public required string DeadlineId { get; init; }
    public required string Title { get; init; }
    public string? Category { get; init; }
    public string? Source { get; init; }
    public string? Notes { get; init; }
    public required string SubscriberId { get; init; }
    public required string SubscriberName { get; init; }
    public required Instant DueAt { get; init; }
    public required DateTimeZone DeadlineZone { get; init; }
    public required DateTimeZone SubscriberZone { get; init; }
    public required LeadTime LeadTime { get; init; }
    public required Instant FireAt { get; init; }
    /// <summary>The instant the countdown is measured from: the fire instant for an alert on time (so a
    /// P7D alert says "7 days left"), the actual moment for a late one (so it says how little is left).</summary>
    public required Instant Now { get; init; }
    public bool Late { get; init; }

    /// <summary>
    /// A signed link that removes the channel this message goes to (set by delivery per channel); null when the
    /// installation has no signing key or public URL, and then channels show no unsubscribe link at all.
    /// </summary>
    public string? UnsubscribeUrl { get; init; }

    public string Countdown => Rendering.Countdown.Text(Now, DueAt);
    public string DueInDeadlineZone => TimeText.Full(DueAt, DeadlineZone);
    public string DueInSubscriberZone => TimeText.Full(DueAt, SubscriberZone);
    public string DueBrief => TimeText.Brief(DueAt, DeadlineZone);

    /// <summary>"7 days left: US-China tariff truce expires, Tue 12 Aug 00:01 EDT".</summary>
    public string Headline
    {
        get
        {
            var c = Countdown;
            var head = char.ToUpperInvariant(c[0]) + c[1..];
            return $"{head}: {Title}, {DueBrief}";
        }
    }

    /// <summary>The plain text every channel can fall back to.</summary>
    public string PlainText
    {
        get
        {
            var lines = new List<string>
            {
                Headline + (Late ? " (late alert)" : ""),
                $"Due: {DueInDeadlineZone}",
            };
            if (SubscriberZone.Id != DeadlineZone.Id) lines.Add($"Your time: {DueInSubscriberZone}");
            if (!string.IsNullOrWhiteSpace(Source)) lines.Add($"Source: {Source}");
            return string.Join("\n", lines);
        }
    }

    public static AlertView Create(PlannedAlert alert, Deadline deadline, Subscriber subscriber, Instant now, bool late) => new()
    {
        AlertId = alert.Id,
        DeadlineId = deadline.Id,
        Title = deadline.Title,
        Category = deadline.Category,
        Source = deadline.Source,
        Notes = deadline.Notes,
        SubscriberId = subscriber.Id,
        SubscriberName = subscriber.Name,
        DueAt = alert.DueAt,
        DeadlineZone = deadline.Due.Zone,
        SubscriberZone = subscriber.TimeZone ?? deadline.Due.Zone,
        LeadTime = alert.LeadTime,
        FireAt = alert.FireAt,
        Now = late ? now : alert.FireAt,
        Late = late,
    };
}
