using DeadlineAlerts.Core.Schedule;
using NodaTime;
using NodaTime.Testing.TimeZones;
using static DeadlineAlerts.Core.Tests.Given;

namespace DeadlineAlerts.Core.Tests;

/// <summary>
/// Two releases of one zone's rules, built with NodaTime.Testing's fake sources (the real-file case, 2025b → 2026f,
/// runs end to end in Cli.Tests' TimeZoneRulesChangeTests). "Test/Pacific" switches to summer time each March and
/// back each November under release "fake-1"; under "fake-2" it stays on UTC-7 from November 2026, as British
/// Columbia decided. A deadline typed as 14 Dec 2026 09:00 means 17:00 UTC under the first and 16:00 UTC under the second.
/// </summary>
public sealed class TimeZoneRulesFakeSourceTests
{
    private const string Id = "Test/Pacific";

    private static IDateTimeZoneProvider Release(string version, bool permanentSummerTime)
    {
        var zone = new MultiTransitionDateTimeZone.Builder(-8, 0, "PST") { Id = Id };
        zone.Add(Utc("2026-03-08T10:00:00Z"), -8, 1, "PDT");
        if (permanentSummerTime) zone.Add(Utc("2026-11-01T09:00:00Z"), -7, 0, "MST");
        else zone.Add(Utc("2026-11-01T09:00:00Z"), -8, 0, "PST");
        return new FakeDateTimeZoneSource.Builder { VersionId = version, Zones = { zone.Build() } }.Build().ToProvider();
    }

    private static readonly IDateTimeZoneProvider Old = Release("fake-1", permanentSummerTime: false);
    private static readonly IDateTimeZoneProvider New = Release("fake-2", permanentSummerTime: true);

    private static DueTime Typed(string local, IDateTimeZoneProvider rules)
    {
        var parsed = DueTime.Parse(local, rules[Id]);
        Assert.Null(parsed.Problem);
        return parsed.Value!;
    }

    [Fact]
    public void A_due_time_stored_under_old_rules_means_its_local_time_under_the_new_rules()
    {
        Assert.Equal("fake-1", Old.VersionId);
        var stored = Typed("2026-12-14T09:00", Old);
        Assert.Equal(Utc("2026-12-14T17:00:00Z"), stored.Instant);

        // Read back under the new release: the same local time and zone id, the instant computed with the old rules.
        var readUnderNew = stored with { Zone = New[Id] };
        var moved = readUnderNew.UnderCurrentRules();

        Assert.Equal(Utc("2026-12-14T16:00:00Z"), moved.Instant);
        Assert.Equal(stored.Local, moved.Local);
        Assert.Equal(Typed("2026-12-14T09:00", New).Instant, moved.Instant);
    }

    [Fact]
    public void A_due_time_the_new_rules_do_not_touch_keeps_its_instant()
    {
        var read = Typed("2026-07-01T09:00", Old) with { Zone = New[Id] }; // both releases: PDT in July
        Assert.Same(read, read.UnderCurrentRules());
        Assert.Equal(Utc("2026-07-01T16:00:00Z"), read.Instant);
    }

    [Fact]
    public void The_later_instant_of_an_overlap_is_kept_while_the_rules_still_give_it()
    {
        // 1 Nov 2026 01:30 happens twice under fake-1 (PDT, then PST); an offset picks the later one.
        var later = Typed("2026-11-01T01:30-08:00", Old);
        Assert.Equal(Utc("2026-11-01T09:30:00Z"), later.Instant);
        Assert.Same(later, later.UnderCurrentRules());

        // Under fake-2 the clocks never go back: 01:30 happens once, at 08:30 UTC, and the deadline moves there.
        Assert.Equal(Utc("2026-11-01T08:30:00Z"), (later with { Zone = New[Id] }).UnderCurrentRules().Instant);
    }

    [Fact]
    public void The_alerts_of_a_moved_deadline_fire_at_the_new_instants()
    {
        var subscriber = Subscriber();
        var old = Deadline(due: "2026-12-14T09:00", zone: "UTC", leadTimes: ["P1D", "PT0S"]) with { Due = Typed("2026-12-14T09:00", Old) };
        var moved = old with { Due = (old.Due with { Zone = New[Id] }).UnderCurrentRules() };

        Assert.Equal([Utc("2026-12-13T17:00:00Z"), Utc("2026-12-14T17:00:00Z")], AlertPlanner.Plan(old, subscriber).Select(a => a.FireAt).Order());
        Assert.Equal([Utc("2026-12-13T16:00:00Z"), Utc("2026-12-14T16:00:00Z")], AlertPlanner.Plan(moved, subscriber).Select(a => a.FireAt).Order());
    }
}
