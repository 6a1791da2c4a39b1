using DeadlineAlerts.App.Calendar;
using DeadlineAlerts.App.Links;
using DeadlineAlerts.Core.Schedule;
using DeadlineAlerts.Testing;
using Ical.Net.CalendarComponents;
using NodaTime;
using static DeadlineAlerts.Testing.Records;
using IcalCalendar = Ical.Net.Calendar;

namespace DeadlineAlerts.App.Tests;

/// <summary>The subscriber's calendar feed through the API router on Azurite, read back with Ical.Net.</summary>
public sealed class CalendarTests
{
    private static readonly Instant July29 = Instant.FromUtc(2025, 7, 29, 8, 0);

    private static object Desk(string[]? leadTimes = null) => new
    {
        id = "beijing-desk",
        name = "Beijing desk",
        timeZone = "Asia/Shanghai",
        categories = new[] { "tariff" },
        leadTimes = leadTimes ?? ["P7D", "P1D", "PT0S"],
        channels = new[] { new { type = "email", address = "desk@example.com" } },
    };

    private static string Truce(string due) => File(
        [
            Deadline("us-china-tariff-truce", due, title: "US-China tariff truce expires"),
            Deadline("eu-steel", "2025-09-01T12:00", zone: "Europe/Brussels", category: "steel"),
            new { id = "old-truce", title = "Resolved", due = "2025-08-20T00:00", timeZone = "UTC", category = "tariff", status = "resolved" },
        ],
        [Desk()]);

    private static async Task<(IcalCalendar Parsed, string Text)> FeedAsync(TestInstallation t)
    {
        var response = await t.SendAsync("GET", t.Get<SubscriberLinks>().CalendarUrl("beijing-desk")!);
        Assert.Equal(200, response.Status);
        Assert.Equal("text/calendar; charset=utf-8", response.ContentType);
        return (IcalCalendar.Load(response.BodyText)!, response.BodyText);
    }

    [Fact]
    public async Task A_recurring_deadline_is_one_event_with_its_rrule_an_exdate_for_a_resolved_occurrence_and_an_override_for_a_moved_one()
    {
        await using var t = await TestInstallation.CreateAsync(Instant.FromUtc(2026, 1, 10, 0, 0), SubscriberLinksSetup.Settings());
        await t.ImportAsync(File(
            [new { id = "us-tariff-rates", title = "US tariff-rate publication", due = "2026-01-15T09:00", timeZone = "America/New_York",
                   category = "tariff", recurrence = "FREQ=MONTHLY;BYMONTHDAY=15;COUNT=5" }],
            [Desk()]));
        var milestones = t.Get<App.Milestones.MilestoneService>();
        t.Clock.Reset(Instant.FromUtc(2026, 1, 20, 0, 0));
        await milestones.ResolveAsync("us-tariff-rates", "published early", "alice"); // February's
        await milestones.ExtendAsync("us-tariff-rates", "2026-03-20T09:00", null, "delayed", "alice"); // March's, now the next

        var (calendar, text) = await FeedAsync(t);

        Assert.Contains("RRULE:FREQ=MONTHLY;COUNT=5;BYMONTHDAY=15", text); // Ical.Net writes the parts in RFC 5545's order
        Assert.Contains("EXDATE;TZID=America/New_York:20260215T090000", text);
        Assert.Contains("RECURRENCE-ID;TZID=America/New_York:20260315T090000", text);
        var series = Assert.Single(calendar.Events, e => e.RecurrenceRule is not null);
        Assert.Equal((Ical.Net.FrequencyType.Monthly, 5), (series.RecurrenceRule!.Frequency, series.RecurrenceRule.Count));
        Assert.Equal([15], series.RecurrenceRule.ByMonthDay);
        Assert.Contains("Repeats monthly (FREQ=MONTHLY;BYMONTHDAY=15;COUNT=5)", series.Description);
        var moved = Assert.Single(calendar.Events, e => e.RecurrenceIdentifier is not null);
        Assert.Equal(series.Uid, moved.Uid);
        Assert.Equal(new DateTime(2026, 3, 20, 13, 0, 0, DateTimeKind.Utc), moved.DtStart!.AsUtc);

        // Expanded by Ical.Net as a calendar client would: February left out, March moved to the 20th, COUNT=5 kept.
        var occurrences = calendar.GetOccurrences(new Ical.Net.DataTypes.CalDateTime(2026, 1, 1, 0, 0, 0, "UTC"))
            .Select(o => o.Period.StartTime.AsUtc).ToList();
        Assert.Equal(
            [new DateTime(2026, 1, 15, 14, 0, 0, DateTimeKind.Utc), new DateTime(2026, 3, 20, 13, 0, 0, DateTimeKind.Utc),
             new DateTime(2026, 4, 15, 13, 0, 0, DateTimeKind.Utc), new DateTime(2026, 5, 15, 13, 0, 0, DateTimeKind.Utc)],
            occurrences);
    }

    [Fact]
    public async Task The_feed_reads_back_with_the_due_instant_the_subscribers_alarms_and_a_uid_that_survives_an_extension()
    {
        await using var t = await TestInstallation.CreateAsync(July29, SubscriberLinksSetup.Settings());
        await t.ImportAsync(Truce("2025-08-12T00:01"));

        var (calendar, text) = await FeedAsync(t);
        var e = Assert.Single(calendar.Events); // not the steel deadline (not followed) nor the resolved one
        Assert.Equal("us-china-tariff-truce@deadlinealerts", e.Uid);
        Assert.Equal("US-China tariff truce expires", e.Summary);
        Assert.Equal("America/New_York", e.DtStart!.TzId);
        Assert.Equal(new DateTime(2025, 8, 12, 4, 1, 0, DateTimeKind.Utc), e.DtStart.AsUtc); // 00:01 EDT
        Assert.Contains("Your time: Tue 12 Aug 2025 12:01 CST (Asia/Shanghai)", e.Description);
        Assert.Contains("BEGIN:VTIMEZONE", text);
        Assert.Contains("TZID:America/New_York", text);
        Assert.Contains("DTSTART;TZID=America/New_York:20250812T000100", text);
        Assert.Equal(["-P7D", "-P1D", "P0D"], e.Alarms.Select(a => a.Trigger!.Duration!.Value.ToString()));
        Assert.Contains("TRIGGER:-P7D", text);
        Assert.All(e.Alarms, a => Assert.Equal("DISPLAY", a.Action));
        var sequence = e.Sequence;

        t.Clock.Advance(Duration.FromDays(1));
        await t.ImportAsync(Truce("2025-11-10T00:01")); // the 90-day extension: EDT to EST
        var extended = Assert.Single((await FeedAsync(t)).Parsed.Events);
        Assert.Equal(e.Uid, extended.Uid);
        Assert.Equal(new DateTime(2025, 11, 10, 5, 1, 0, DateTimeKind.Utc), extended.DtStart!.AsUtc); // 00:01 EST
        Assert.True(extended.Sequence > sequence);
    }

    [Fact]
    public async Task A_forged_foreign_or_unsubscribe_token_gets_one_refusal()
    {
        await using var t = await TestInstallation.CreateAsync(July29, SubscriberLinksSetup.Settings());
        await t.ImportAsync(File([], [Desk(), new { id = "other", name = "Other", categories = new[] { "tariff" }, channels = new[] { new { type = "email", address = "o@example.com" } } }]));
        var valid = t.Get<SubscriberLinks>().CalendarUrl("beijing-desk")!;
        var otherToken = t.Get<SubscriberLinks>().CalendarUrl("other")!.Split("token=")[1];
        var unsubscribeToken = t.Get<SubscriberLinks>().UnsubscribeUrl("beijing-desk", null)!.Split("token=")[1];

        var answers = new List<(int, string)>();
        foreach (var url in new[]
                 {
                     valid.Split('?')[0],
                     valid[..^2] + (valid[^2] == 'x' ? "y" : "x") + valid[^1],
                     valid.Split('?')[0] + "?token=" + otherToken,
                     valid.Split('?')[0] + "?token=" + unsubscribeToken,
                     "https://alerts.example.org/api/calendar/nobody.ics?token=" + otherToken,
                 })
        {
            var r = await t.SendAsync("GET", url);
            answers.Add((r.Status, r.BodyText));
        }

        Assert.Equal((400, "This calendar link is not valid. Ask the people who run these alerts for a new one.\n"), Assert.Single(answers.Distinct()));
    }

    [Theory]
    [InlineData("P7D", "-P7D")]
    [InlineData("P2W", "-P2W")]
    [InlineData("P1DT12H", "-P1DT12H")]
    [InlineData("PT1H", "-PT1H")]
    [InlineData("PT0S", "P0D")] // zero either way: RFC 5545 accepts both spellings
    [InlineData("P1M", "-P31D")] // 12 Jul to 12 Aug on the deadline's calendar
    public void Lead_times_become_rfc5545_triggers_relative_to_the_start(string lead, string trigger)
    {
        var due = new LocalDateTime(2025, 8, 12, 0, 1).InZoneStrictly(DateTimeZoneProviders.Tzdb["America/New_York"]);
        Assert.Equal(trigger, CalendarFeed.Trigger(LeadTime.Parse(lead), due).ToString());
    }

    /// <summary>
    /// A regulatory date years ahead is normal. Ical.Net's own VTIMEZONE builder stopped at the machine's clock and
    /// threw for dates past it (the feed answered 500). The feed now writes the zone's observances over its deadlines'
    /// span from the tz data in use; this reads them back as a client without its own tz data would.
    /// </summary>
    [Theory]
    [InlineData(5, "2030-07-15T09:00", "2030-07-15T13:00:00Z", "-0400", "EDT")]
    [InlineData(5, "2030-12-02T09:00", "2030-12-02T14:00:00Z", "-0500", "EST")]
    [InlineData(10, "2035-07-16T09:00", "2035-07-16T13:00:00Z", "-0400", "EDT")]
    [InlineData(10, "2035-03-11T03:30", "2035-03-11T07:30:00Z", "-0400", "EDT")] // the morning clocks go forward
    public async Task A_deadline_years_ahead_in_a_dst_zone_reads_back_at_its_local_time_and_instant(int years, string due, string utc, string offset, string name)
    {
        await using var t = await TestInstallation.CreateAsync(July29, SubscriberLinksSetup.Settings());
        await t.ImportAsync(File([Deadline("far-truce", due, title: $"Rule in {years} years")], [Desk()]));

        var (calendar, text) = await FeedAsync(t);
        var e = Assert.Single(calendar.Events);
        var expected = NodaTime.Text.InstantPattern.ExtendedIso.Parse(utc).Value;
        Assert.Equal("America/New_York", e.DtStart!.TzId);
        Assert.Equal(NodaTime.Text.LocalDateTimePattern.ExtendedIso.Parse(due + ":00").Value.ToDateTimeUnspecified(), e.DtStart.Value);
        Assert.Equal(expected.ToDateTimeUtc(), e.DtStart.AsUtc);

        // The VTIMEZONE alone (as a client that does not know the TZID reads it) puts the local time at that instant.
        var zone = Assert.Single(calendar.TimeZones);
        Assert.Equal("America/New_York", zone.TzId);
        var observances = zone.TimeZoneInfos.Select(o => (
            Onset: o.Start!.Value,
            From: Offset.FromTimeSpan(o.OffsetFrom!.Offset),
            To: Offset.FromTimeSpan(o.OffsetTo!.Offset),
            o.TimeZoneName, o.Name)).ToList();
        var local = LocalDateTime.FromDateTime(e.DtStart.Value);
        // The observance in force: the last whose onset (a local time in its "from" offset) is not after the deadline.
        var inForce = observances
            .Where(o => LocalDateTime.FromDateTime(o.Onset).WithOffset(o.From).ToInstant() <= local.WithOffset(o.To).ToInstant())
            .MaxBy(o => LocalDateTime.FromDateTime(o.Onset).WithOffset(o.From).ToInstant());
        Assert.Equal(offset, inForce.To.ToString("+HHmm", null).Replace(":", ""));
        Assert.Equal(name, inForce.TimeZoneName);
        Assert.Equal(name == "EDT" ? "DAYLIGHT" : "STANDARD", inForce.Name);
        Assert.Equal(expected, local.WithOffset(inForce.To).ToInstant());
        Assert.Contains($"TZOFFSETTO:{offset}", text);
        Assert.DoesNotContain("RRULE", text);
        // The observances span the deadline's year and the week before it (the P7D alarm), not every year since 1970.
        Assert.InRange(observances.Count, 1, 3);
    }

    [Fact]
    public void A_deadline_stored_under_older_tz_rules_shows_its_local_time_as_the_rules_in_use_mean_it()
    {
        // "Test/Pacific" under the rules in use: UTC-7 from November 2026. The stored instant, 17:00 UTC, is what
        // 09:00 meant under the older rules (UTC-8), as it stays until the first tick after the change re-plans.
        var zone = new NodaTime.Testing.TimeZones.MultiTransitionDateTimeZone.Builder(-8, 0, "PST") { Id = "Test/Pacific" };
        zone.Add(Instant.FromUtc(2026, 11, 1, 9, 0), -7, 0, "MST");
        var local = new LocalDateTime(2026, 12, 14, 9, 0);
        var deadline = new Core.Records.Deadline
        {
            Id = "bc-filing",
            Title = "BC filing",
            Due = new DueTime(local, zone.Build(), Instant.FromUtc(2026, 12, 14, 17, 0)),
            ArmedAt = Instant.FromUtc(2026, 1, 1, 0, 0),
        };

        var ics = CalendarFeed.Build([deadline]);

        var e = IcalCalendar.Load(ics)!.Events.Single();
        Assert.Equal("Test/Pacific", e.DtStart!.TzId);
        Assert.Equal(local.ToDateTimeUnspecified(), e.DtStart.Value);
        Assert.Contains("Due: Mon 14 Dec 2026 09:00 MST", ics.Replace("\r\n ", ""));
    }
}
