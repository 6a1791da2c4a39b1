using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Schedule;
using NodaTime;
using static DeadlineAlerts.Core.Tests.Given;

namespace DeadlineAlerts.Core.Tests;

public class AlertPlannerTests
{
    private static List<string> PlannedLeads(Deadline d, Subscriber s) =>
        AlertPlanner.Plan(d, s).Select(a => a.LeadTime.Text).ToList();

    [Fact]
    public void The_subscribers_lead_times_replace_the_deadlines()
    {
        var d = Deadline(leadTimes: ["P30D", "P7D", "PT0S"]);
        var s = Subscriber(leadTimes: ["P1D"]);

        Assert.Equal(["P1D"], PlannedLeads(d, s));
    }

    [Fact]
    public void A_pause_holds_the_alerts_it_covers_to_its_end_while_the_deadline_is_still_ahead_then()
    {
        // due 9 March 2026 13:00Z; P7D fires 2 March 14:00Z, P1D 8 March 13:00Z, PT1H 9 March 12:00Z.
        var paused = Subscriber() with { PausedSince = Utc("2026-02-01T00:00:00Z"), PausedUntil = Utc("2026-03-09T12:30:00Z") };

        var alerts = AlertPlanner.Plan(Deadline(), paused).ToDictionary(a => a.LeadTime.Text);

        Assert.Equal(Utc("2026-03-09T12:30:00Z"), alerts["P7D"].FireAt);
        Assert.Equal(Utc("2026-03-09T12:30:00Z"), alerts["P1D"].FireAt);
        Assert.Equal(Utc("2026-03-09T12:30:00Z"), alerts["PT1H"].FireAt);
        Assert.DoesNotContain(alerts.Values, a => AlertPlanner.SkippedByPause(a, paused)); // the held ones go at the end
    }

    [Theory]
    [InlineData("2026-03-20T00:00:00Z", true)]
    // Ends as the deadline falls due: the P7D alert would arrive with nothing ahead, so it is skipped; "due now"
    // fires at the pause's end, outside it, and goes.
    [InlineData("2026-03-09T13:00:00Z", false)]
    public void An_alert_in_a_pause_that_the_deadline_does_not_outlast_keeps_its_time_and_is_skipped(string until, bool dueNowSkipped)
    {
        var paused = Subscriber() with { PausedSince = Utc("2026-02-01T00:00:00Z"), PausedUntil = Utc(until) };

        var alerts = AlertPlanner.Plan(Deadline(leadTimes: ["P7D", "PT0S"]), paused).ToList();

        Assert.Equal([Utc("2026-03-02T14:00:00Z"), Utc("2026-03-09T13:00:00Z")], alerts.Select(a => a.FireAt));
        Assert.Equal([true, dueNowSkipped], alerts.Select(a => AlertPlanner.SkippedByPause(a, paused)));
    }

    [Fact]
    public void Alerts_before_the_pause_began_or_at_its_end_are_not_in_it()
    {
        // Set on 5 March until 8 March 13:00Z: P7D (2 March) had gone out already; P1D fires exactly as it ends.
        var paused = Subscriber() with { PausedSince = Utc("2026-03-05T00:00:00Z"), PausedUntil = Utc("2026-03-08T13:00:00Z") };

        var alerts = AlertPlanner.Plan(Deadline(), paused).ToDictionary(a => a.LeadTime.Text);

        Assert.Equal(Utc("2026-03-02T14:00:00Z"), alerts["P7D"].FireAt);
        Assert.Equal(Utc("2026-03-08T13:00:00Z"), alerts["P1D"].FireAt);
        Assert.DoesNotContain(alerts.Values, a => AlertPlanner.SkippedByPause(a, paused));
    }

    [Fact]
    public void The_deadlines_lead_times_apply_when_the_subscriber_has_none()
    {
        Assert.Equal(["P7D", "PT0S"], PlannedLeads(Deadline(leadTimes: ["P7D", "PT0S"]), Subscriber()));
    }

    [Fact]
    public void Seven_days_one_day_and_one_hour_apply_when_neither_record_has_lead_times()
    {
        Assert.Equal(["P7D", "P1D", "PT1H"], PlannedLeads(Deadline(), Subscriber()));
    }

    [Fact]
    public void Each_alert_fires_at_its_lead_time_before_the_due_instant()
    {
        // due 9 March 2026 09:00 EDT = 13:00Z; P7D -> 2 March 09:00 EST = 14:00Z; P1D -> 8 March 09:00 EDT = 13:00Z
        var alerts = AlertPlanner.Plan(Deadline(), Subscriber()).ToDictionary(a => a.LeadTime.Text);

        Assert.Equal(Utc("2026-03-02T14:00:00Z"), alerts["P7D"].FireAt);
        Assert.Equal(Utc("2026-03-08T13:00:00Z"), alerts["P1D"].FireAt);
        Assert.Equal(Utc("2026-03-09T12:00:00Z"), alerts["PT1H"].FireAt);
        Assert.All(alerts.Values, a => Assert.Equal(Utc("2026-03-09T13:00:00Z"), a.DueAt));
    }

    [Fact]
    public void A_subscriber_following_the_category_is_alerted()
    {
        Assert.NotEmpty(AlertPlanner.Plan(Deadline(category: "tariff"), Subscriber(categories: ["TARIFF"])));
    }

    [Fact]
    public void A_subscriber_following_the_deadline_by_id_is_alerted_whatever_its_category()
    {
        Assert.NotEmpty(AlertPlanner.Plan(Deadline(id: "us-x", category: "negotiation"), Subscriber(deadlines: ["us-x"])));
    }

    [Fact]
    public void A_subscriber_following_neither_the_category_nor_the_id_is_not_alerted()
    {
        Assert.Empty(AlertPlanner.Plan(Deadline(id: "us-x", category: "negotiation"), Subscriber(categories: ["tariff"], deadlines: ["eu-y"])));
        Assert.Empty(AlertPlanner.Plan(Deadline(category: null), Subscriber(categories: ["tariff"])));
    }

    [Theory]
    [InlineData(DeadlineStatus.Resolved)]
    [InlineData(DeadlineStatus.Cancelled)]
    public void A_deadline_that_is_no_longer_active_plans_nothing(DeadlineStatus status)
    {
        Assert.Empty(AlertPlanner.Plan(Deadline(status: status), Subscriber()));
    }

    [Fact]
    public void Alerts_that_would_have_fired_before_the_deadline_was_armed_are_not_planned()
    {
        // armed 5 March: the P7D alert (2 March 14:00Z) is stale, P1D and PT1H are still ahead
        var d = Deadline(armedAt: "2026-03-05T00:00:00Z");

        Assert.Equal(["P1D", "PT1H"], PlannedLeads(d, Subscriber()));
    }

    [Fact]
    public void Alerts_that_would_have_fired_before_the_subscriber_joined_are_not_planned()
    {
        // subscriber created 8 March 13:00:01Z, one second after the P1D alert's fire instant
        var s = Subscriber(createdAt: "2026-03-08T13:00:01Z");

        Assert.Equal(["PT1H"], PlannedLeads(Deadline(), s));
    }

    [Fact]
    public void An_alert_firing_exactly_when_the_deadline_was_armed_is_planned()
    {
        Assert.Contains("P1D", PlannedLeads(Deadline(armedAt: "2026-03-08T13:00:00Z"), Subscriber()));
    }

    [Fact]
    public void The_alert_id_is_the_same_every_time_it_is_planned()
    {
        var first = AlertPlanner.Plan(Deadline(), Subscriber()).Select(a => a.Id).ToList();
        var again = AlertPlanner.Plan(Deadline(), Subscriber()).Select(a => a.Id).ToList();

        Assert.Equal(first, again);
        Assert.Equal(3, first.Distinct().Count());
        Assert.All(first, id => Assert.StartsWith("al_", id.Value));
    }

    [Fact]
    public void Extending_a_deadline_gives_its_alerts_new_ids()
    {
        var before = AlertPlanner.Plan(Deadline(due: "2026-03-09T09:00"), Subscriber()).Select(a => a.Id);
        var after = AlertPlanner.Plan(Deadline(due: "2026-03-10T09:00"), Subscriber()).Select(a => a.Id);

        Assert.Empty(before.Intersect(after));
    }

    [Fact]
    public void The_alert_id_differs_per_subscriber()
    {
        var a = AlertPlanner.Plan(Deadline(), Subscriber(id: "a")).Select(x => x.Id);
        var b = AlertPlanner.Plan(Deadline(), Subscriber(id: "b")).Select(x => x.Id);

        Assert.Empty(a.Intersect(b));
    }

    [Fact]
    public void A_stored_alert_still_applies_only_while_the_records_still_plan_it()
    {
        var d = Deadline();
        var s = Subscriber();
        var alert = AlertPlanner.Plan(d, s).First();

        Assert.True(AlertPlanner.StillApplies(alert, d, s));
        Assert.False(AlertPlanner.StillApplies(alert, d with { Status = DeadlineStatus.Resolved }, s));
        Assert.False(AlertPlanner.StillApplies(alert, Deadline(due: "2026-03-10T09:00"), s));
        Assert.False(AlertPlanner.StillApplies(alert, null, s));
    }
}

public class TickPolicyTests
{
    private static readonly Duration ScanPeriod = Duration.FromMinutes(5);

    // due 9 March 2026 13:00Z; the P1D alert fires 8 March 13:00Z
    private static PlannedAlert Alert(string lead) =>
        AlertPlanner.Plan(Deadline(leadTimes: [lead]), Subscriber()).Single();

    [Fact]
    public void An_alert_picked_up_within_one_scan_period_is_sent()
    {
        Assert.Equal(TickDecision.Send, TickPolicy.Decide(Alert("P1D"), Utc("2026-03-08T13:04:00Z"), ScanPeriod));
        Assert.Equal(TickDecision.Send, TickPolicy.Decide(Alert("P1D"), Utc("2026-03-08T13:05:00Z"), ScanPeriod));
    }

    [Fact]
    public void A_late_alert_is_sent_marked_late_while_the_deadline_is_still_ahead()
    {
        Assert.Equal(TickDecision.SendLate, TickPolicy.Decide(Alert("P1D"), Utc("2026-03-08T13:05:01Z"), ScanPeriod));
        Assert.Equal(TickDecision.SendLate, TickPolicy.Decide(Alert("P1D"), Utc("2026-03-09T12:59:00Z"), ScanPeriod));
    }

    [Fact]
    public void A_late_lead_time_alert_is_skipped_once_the_deadline_has_passed()
    {
        Assert.Equal(TickDecision.SkipLate, TickPolicy.Decide(Alert("P1D"), Utc("2026-03-09T13:00:00Z"), ScanPeriod));
        Assert.Equal(TickDecision.SkipLate, TickPolicy.Decide(Alert("P1D"), Utc("2026-03-10T00:00:00Z"), ScanPeriod));
    }

    [Fact]
    public void The_at_deadline_alert_is_sent_late_rather_than_skipped()
    {
        Assert.Equal(TickDecision.Send, TickPolicy.Decide(Alert("PT0S"), Utc("2026-03-09T13:02:00Z"), ScanPeriod));
        Assert.Equal(TickDecision.SendLate, TickPolicy.Decide(Alert("PT0S"), Utc("2026-03-09T15:00:00Z"), ScanPeriod));
    }

    [Fact]
    public void A_due_now_alert_more_than_a_day_after_its_deadline_is_stale_not_sent()
    {
        Assert.Equal(TickDecision.SendLate, TickPolicy.Decide(Alert("PT0S"), Utc("2026-03-10T12:59:00Z"), ScanPeriod));
        Assert.Equal(TickDecision.SkipStale, TickPolicy.Decide(Alert("PT0S"), Utc("2026-03-10T13:00:01Z"), ScanPeriod));
        Assert.Equal(TickDecision.SkipStale, TickPolicy.Decide(Alert("PT0S"), Utc("2026-08-11T13:00:00Z"), ScanPeriod)); // 155 days late
        Assert.Equal(TickDecision.SendLate, TickPolicy.Decide(Alert("PT0S"), Utc("2026-03-12T12:00:00Z"), ScanPeriod, Duration.FromDays(7)));
    }

    [Fact]
    public void Catch_up_keeps_the_most_recent_alert_of_each_deadline_for_each_subscriber()
    {
        var deadline = Deadline(leadTimes: ["P7D", "P3D", "P1D", "PT1H"]);
        var alerts = AlertPlanner.Plan(deadline, Subscriber()).ToList();
        var survivors = TickPolicy.Survivors(alerts.Where(a => a.LeadTime.Text != "PT1H"));
        var kept = Assert.Single(survivors).Value;
        Assert.Equal("P1D", kept.LeadTime.Text);
    }
}
