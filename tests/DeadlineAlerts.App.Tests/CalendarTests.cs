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
}
