using System.Text.Json;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Rendering;
using DeadlineAlerts.Core.Schedule;
using NodaTime;
using static DeadlineAlerts.Core.Tests.Given;

namespace DeadlineAlerts.Core.Tests;

/// <summary>Recurring deadlines: the instants RFC 5545 prescribes, per-occurrence changes, and what import refuses.</summary>
public sealed class RecurrenceTests
{
    private static readonly Instant Now = Utc("2026-01-01T00:00:00Z");

    private static Deadline Recurring(string due, string rule, string zone = "America/New_York", string[]? leadTimes = null, string armedAt = "2026-01-01T00:00:00Z")
    {
        var d = Deadline(due: due, zone: zone, leadTimes: leadTimes, armedAt: armedAt);
        var parsed = Recurrence.Parse(rule, d.Due);
        Assert.Null(parsed.Problem);
        return d with { Recurrence = parsed.Value };
    }

    private static string[] Instants(IEnumerable<Deadline> occurrences, int n) =>
        occurrences.Take(n).Select(o => TimeText.Iso(o.Due.Instant)).ToArray();

    [Fact]
    public void A_monthly_rule_on_the_31st_skips_the_months_without_one()
    {
        var d = Recurring("2026-01-31T09:00", "FREQ=MONTHLY;BYMONTHDAY=31");
        // RFC 5545 3.3.10: an invalid date (30 Feb, 31 Apr) is ignored, not moved; 09:00 local stays 09:00 across DST (EST -5, EDT -4).
        Assert.Equal(
            ["2026-01-31T14:00:00Z", "2026-03-31T13:00:00Z", "2026-05-31T13:00:00Z", "2026-07-31T13:00:00Z", "2026-08-31T13:00:00Z",
             "2026-10-31T13:00:00Z", "2026-12-31T14:00:00Z"],
            Instants(Occurrences.After(d, Utc("2026-01-01T00:00:00Z")), 7));
    }

    [Fact]
    public void A_time_skipped_by_spring_forward_is_read_with_the_offset_before_the_gap_that_day_only()
    {
        // 02:30 does not exist in New York on 8 March 2026: RFC 5545 3.3.5 reads it with the offset before the gap,
        // -05:00, so it is 07:30Z = 03:30 EDT. The days around it keep 02:30 local.
        var d = Recurring("2026-03-06T02:30", "FREQ=DAILY;COUNT=4");
        var occurrences = Occurrences.After(d, Utc("2026-03-01T00:00:00Z")).ToList();
        Assert.Equal(["2026-03-06T07:30:00Z", "2026-03-07T07:30:00Z", "2026-03-08T07:30:00Z", "2026-03-09T06:30:00Z"], Instants(occurrences, 10));
        Assert.Equal(["02:30", "02:30", "03:30", "02:30"], occurrences.Select(o => o.Due.Zoned.LocalDateTime.TimeOfDay.ToString("HH:mm", null)));
    }

    [Fact]
    public void A_series_that_starts_on_the_gap_keeps_its_local_time_on_later_days()
    {
        // Ical.Net's own zone handling would keep 03:30 for the whole series; the local time the operator typed is 02:30.
        var d = Recurring("2026-03-08T02:30", "FREQ=DAILY");
        Assert.Equal(["2026-03-08T07:30:00Z", "2026-03-09T06:30:00Z", "2026-03-10T06:30:00Z"], Instants(Occurrences.After(d, Utc("2026-03-01T00:00:00Z")), 3));
    }

    [Fact]
    public void Count_and_until_end_the_series()
    {
        Assert.Equal(3, Occurrences.After(Recurring("2026-01-15T09:00", "FREQ=MONTHLY;BYMONTHDAY=15;COUNT=3"), Now).Count());
        Assert.Equal(["2026-01-15T14:00:00Z", "2026-02-15T14:00:00Z"],
            Instants(Occurrences.After(Recurring("2026-01-15T09:00", "FREQ=MONTHLY;UNTIL=20260301T000000"), Now), 10));
    }

    [Fact]
    public void The_horizon_holds_the_next_two_occurrences_within_a_year()
    {
        var monthly = Recurring("2026-01-15T09:00", "FREQ=MONTHLY;BYMONTHDAY=15");
        Assert.Equal(["2026-02-15T14:00:00Z", "2026-03-15T13:00:00Z"], Instants(Occurrences.Horizon(monthly, Utc("2026-01-20T00:00:00Z")), 10));
        Assert.Equal(Utc("2026-02-15T14:00:00Z"), Occurrences.HorizonMark(monthly, Utc("2026-01-20T00:00:00Z")));

        var everyTwoYears = Recurring("2026-01-15T09:00", "FREQ=YEARLY;INTERVAL=2");
        Assert.Empty(Occurrences.Horizon(everyTwoYears, Utc("2026-01-20T00:00:00Z")));
        // Its mark is the moment its next occurrence comes within the year.
        Assert.Equal(Utc("2028-01-15T14:00:00Z") - Occurrences.HorizonSpan, Occurrences.HorizonMark(everyTwoYears, Utc("2026-01-20T00:00:00Z")));
    }

    [Fact]
    public void Each_occurrence_has_its_own_alert_ids_and_is_armed_when_the_one_before_is_due()
    {
        var d = Recurring("2026-01-15T09:00", "FREQ=MONTHLY;BYMONTHDAY=15", leadTimes: ["P30D", "P1D", "PT0S"], armedAt: "2026-01-01T00:00:00Z");
        var desk = Subscriber(categories: ["tariff"]);
        var alerts = AlertPlanner.Plan(d, desk, Utc("2026-01-20T00:00:00Z")).ToList();
        // February's P30D would fire on 16 Jan, after January's occurrence: it is sent. March's P30D (13 Feb) comes
        // before February's occurrence is due, so March is armed only from 15 Feb on and its P30D is not sent.
        Assert.Equal(
            ["2026-02-15T14:00:00Z P1D", "2026-02-15T14:00:00Z P30D", "2026-02-15T14:00:00Z PT0S", "2026-03-15T13:00:00Z P1D", "2026-03-15T13:00:00Z PT0S"],
            alerts.Select(a => $"{TimeText.Iso(a.DueAt)} {a.LeadTime.Text}").Order());
        Assert.Equal(alerts.Count, alerts.Select(a => a.Id).Distinct().Count());
        Assert.All(alerts, a => Assert.True(AlertPlanner.StillApplies(a, d, desk)));
    }

    [Fact]
    public void A_resolved_occurrence_is_left_out_and_a_moved_one_is_due_at_its_new_time()
    {
        var d = Recurring("2026-01-15T09:00", "FREQ=MONTHLY;BYMONTHDAY=15");
        var feb = Occurrences.At(d, Utc("2026-02-15T14:00:00Z"))!;
        var mar = Occurrences.At(d, Utc("2026-03-15T13:00:00Z"))!;
        var changed = d with
        {
            History =
            [
                Entry(ChangeKind.Resolved, feb.Due, feb.Due, feb.OccurrenceOf!.Value),
                Entry(ChangeKind.Extended, mar.Due, Due("2026-03-20T09:00", "America/New_York"), mar.OccurrenceOf!.Value),
            ],
        };
        Assert.Equal(["2026-03-20T13:00:00Z", "2026-04-15T13:00:00Z"], Instants(Occurrences.After(changed, Utc("2026-02-01T00:00:00Z")), 2));
        Assert.Null(Occurrences.At(changed, Utc("2026-02-15T14:00:00Z")));
        Assert.Null(Occurrences.At(changed, Utc("2026-03-15T13:00:00Z")));
        Assert.Equal(Utc("2026-03-15T13:00:00Z"), Occurrences.At(changed, Utc("2026-03-20T13:00:00Z"))!.OccurrenceOf);
        // The alerts of the resolved occurrence no longer apply; the next one's do.
        var desk = Subscriber(categories: ["tariff"]);
        Assert.All(AlertPlanner.Plan(feb, desk), a => Assert.False(AlertPlanner.StillApplies(a, changed, desk)));
        Assert.NotEmpty(AlertPlanner.Plan(changed, desk, Utc("2026-02-01T00:00:00Z")));
    }

    private static HistoryEntry Entry(string kind, DueTime from, DueTime to, Instant occurrence) => new()
    {
        Id = "ch_" + kind + occurrence.ToUnixTimeSeconds(),
        At = Utc("2026-01-20T00:00:00Z"),
        By = "alice",
        Kind = kind,
        OldDue = from,
        NewDue = to,
        Occurrence = occurrence,
    };

    private static IReadOnlyList<RecordProblem> Problems(string due, string rule) =>
        Assert.Throws<RecordValidationException>(() => new RecordReader(new EndpointPolicy([])).ReadJson(File(due, rule), Now)).Problems;

    private static string File(string due, string rule) => JsonSerializer.Serialize(new
    {
        deadlines = new[] { new { id = "rate", title = "Rate publication", due, timeZone = "America/New_York", recurrence = rule } },
        subscribers = Array.Empty<object>(),
    });

    [Theory]
    [InlineData("2026-01-15T09:00", "FREQ=HOURLY",
        "recurrence \"FREQ=HOURLY\" occurs more often than daily (FREQ=HOURLY); a deadline repeats at most once a day, from FREQ=DAILY up")]
    [InlineData("2026-01-15T09:00", "FREQ=DAILY;BYHOUR=9,17",
        "recurrence \"FREQ=DAILY;BYHOUR=9,17\" occurs more often than daily (2026-01-15T09:00:00 and 2026-01-15T17:00:00 fall on the same day); a deadline repeats at most once a day, e.g. FREQ=DAILY or FREQ=WEEKLY;BYDAY=MO,TH")]
    [InlineData("2026-01-30T09:00", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
        "recurrence \"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30\" never occurs from the due time 2026-01-30T09:00:00 on (searched 30 years); check BYMONTH/BYMONTHDAY/BYDAY and UNTIL")]
    [InlineData("2026-01-15T09:00", "FREQ=MONTHLY;UNTIL=20251231T000000",
        "recurrence \"FREQ=MONTHLY;UNTIL=20251231T000000\" never occurs from the due time 2026-01-15T09:00:00 on (searched 30 years); check BYMONTH/BYMONTHDAY/BYDAY and UNTIL")]
    [InlineData("2026-01-20T09:00", "FREQ=MONTHLY;BYMONTHDAY=15",
        "recurrence \"FREQ=MONTHLY;BYMONTHDAY=15\" does not produce the due time 2026-01-20T09:00:00, which is the series' first occurrence; its first occurrence from then is 2026-02-15T09:00:00: give that as the due time, or change the rule")]
    [InlineData("2026-01-15T09:00", "every month",
        "recurrence \"every month\" is not an RFC 5545 RRULE such as FREQ=MONTHLY;BYMONTHDAY=15 (COUNT=12 or UNTIL=20271231T235959 optional): The recurrence rule part 'EVERY MONTH' is invalid")]
    public void A_rule_that_never_occurs_or_occurs_more_than_daily_is_refused_with_the_reason(string due, string rule, string expected)
    {
        var problem = Assert.Single(Problems(due, rule));
        Assert.Equal("deadline rate", problem.Record);
        Assert.Equal("recurrence", problem.Field);
        Assert.Equal(expected, problem.ToString()[(problem.Record.Length + 2)..]);
    }

    [Fact]
    public void A_valid_rule_is_read_and_written_back_in_the_import_format()
    {
        var set = new RecordReader(new EndpointPolicy([])).ReadJson(File("2026-01-15T09:00", "rrule:freq=monthly;bymonthday=15"), Now);
        var d = Assert.Single(set.Deadlines);
        Assert.Equal("FREQ=MONTHLY;BYMONTHDAY=15", d.Recurrence!.Text);
        Assert.Equal("FREQ=MONTHLY;BYMONTHDAY=15", RecordJson.Deadline(d)["recurrence"]!.GetValue<string>());
        var listed = RecordJson.Deadline(d, Utc("2026-01-20T00:00:00Z"));
        Assert.Equal("2026-02-15T09:00:00", listed["nextOccurrence"]!["due"]!.GetValue<string>());
        Assert.Equal("2026-02-15T14:00:00Z", listed["dueInstant"]!.GetValue<string>());
        Assert.Equal("26 days, 14 hours left", listed["standing"]!.GetValue<string>());
    }
}
