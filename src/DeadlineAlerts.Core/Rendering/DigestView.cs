using System.Security.Cryptography;
using System.Text;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Schedule;
using NodaTime;

namespace DeadlineAlerts.Core.Rendering;

/// <summary>One deadline in a digest, in the subscriber's zone.</summary>
public sealed record DigestItem(string DeadlineId, string Title, string? Category, Instant DueAt, string Countdown, string DueInSubscriberZone, bool Overdue);

/// <summary>
/// A digest as every channel renders it: the active deadlines a subscriber follows that are overdue (due,
/// and nobody has resolved or cancelled them) or due within <see cref="DigestChoice.Horizon"/>, each with its
/// countdown and due time in the subscriber's zone.
/// </summary>
public sealed record DigestView
{
    public required string DigestId { get; init; }
    public required string SubscriberId { get; init; }
    public required string SubscriberName { get; init; }
    public required DateTimeZone Zone { get; init; }
    public required DigestChoice Choice { get; init; }
    public required DigestPeriod Period { get; init; }
    /// <summary>What the countdowns are measured from: the period's send instant, or the moment of sending for a late digest.</summary>
    public required Instant Now { get; init; }
    public required IReadOnlyList<DigestItem> Items { get; init; }
    public bool Late { get; init; }

    public string Title => $"{(Choice.Every == DigestEvery.Day ? "Daily" : "Weekly")} deadline digest, {TimeText.Brief(Period.SendAt, Zone)}";

    /// <summary>"3 deadlines in the next 60 days, 1 overdue".</summary>
    public string Summary
    {
        get
        {
            var upcoming = Items.Count(i => !i.Overdue);
            var overdue = Items.Count - upcoming;
            var days = (int)Choice.Horizon.TotalDays;
            var head = upcoming switch
            {
                0 => $"No deadlines in the next {days} days",
                1 => $"1 deadline in the next {days} days",
                _ => $"{upcoming} deadlines in the next {days} days",
            };
            return overdue > 0 ? $"{head}, {overdue} overdue" : head;
        }
    }

    /// <summary>One line a deadline: "OVERDUE 2 days, 3 hours: title, Tue 12 Aug 12:01 CST" / "7 days left: title, ...".</summary>
    public IEnumerable<string> Lines => Items.Select(i =>
        i.Overdue ? $"OVERDUE by {i.Countdown}: {i.Title}, due {i.DueInSubscriberZone}" : $"{Capital(i.Countdown)}: {i.Title}, {i.DueInSubscriberZone}");

    public string PlainText => string.Join("\n", new[] { $"{Title}: {Summary}" }.Concat(Lines.Select(l => "- " + l)));

    public static string IdFor(string subscriberId, DigestPeriod period)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"digest\n{subscriberId}\n{period.Key}"));
        return "dg_" + Convert.ToHexStringLower(hash, 0, 16);
    }

    /// <summary>
    /// The digest of <paramref name="period"/> for <paramref name="subscriber"/> (who must have a digest and a
    /// zone). <paramref name="now"/> is the moment of sending; when <paramref name="late"/> the countdowns are
    /// measured from it, otherwise from the send instant, so a digest on time says "7 days left", not "6 days, 23 hours".
    /// </summary>
    public static DigestView Create(Subscriber subscriber, DigestPeriod period, IEnumerable<Deadline> deadlines, Instant now, bool late)
    {
        var choice = subscriber.Digest ?? throw new ArgumentException($"subscriber {subscriber.Id} has no digest", nameof(subscriber));
        var zone = subscriber.TimeZone ?? throw new ArgumentException($"subscriber {subscriber.Id} has no time zone", nameof(subscriber));
        var from = late ? now : period.SendAt;
        var items = deadlines
            .Where(d => d.Status == DeadlineStatus.Active && subscriber.Follows(d) && d.Due.Instant <= from + choice.Horizon)
            .OrderBy(d => d.Due.Instant).ThenBy(d => d.Id, StringComparer.Ordinal)
            .Select(d =>
            {
                var overdue = d.Due.Instant < from - Countdown.DueNowTolerance;
                var countdown = overdue ? Countdown.Words(Rounded(from - d.Due.Instant)) : Countdown.Text(from, d.Due.Instant);
                return new DigestItem(d.Id, d.Title, d.Category, d.Due.Instant, countdown, TimeText.Brief(d.Due.Instant, zone), overdue);
            })
            .ToList();
        return new DigestView
        {
            DigestId = IdFor(subscriber.Id, period), SubscriberId = subscriber.Id, SubscriberName = subscriber.Name, Zone = zone,
            Choice = choice, Period = period, Now = from, Items = items, Late = late,
        };
    }

    private static Duration Rounded(Duration d) => Duration.FromMinutes(Math.Round(d.TotalMinutes, MidpointRounding.AwayFromZero));

    private static string Capital(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}
