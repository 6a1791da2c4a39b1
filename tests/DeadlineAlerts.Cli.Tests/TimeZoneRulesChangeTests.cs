using System.Text.Json.Nodes;
using DeadlineAlerts.Core.Schedule;
using DeadlineAlerts.Testing;
using DeadlineAlerts.Testing.Processes;
using NodaTime;
using NodaTime.Text;
using NodaTime.TimeZones;
using static DeadlineAlerts.Cli.Tests.Faults.FaultSupport;

namespace DeadlineAlerts.Cli.Tests;

/// <summary>
/// An installation planned with tz data 2025b (the file NodaTime 3.2.2 embeds, tests/TzData) and then run with
/// 2026f (embedded today), each as the separate `dla` processes an operator would run. From December 2026 the two
/// releases give America/Vancouver, Edmonton and Havana an offset one hour further east (their alerts come an hour
/// earlier in UTC) and Africa/Casablanca one hour further west (an hour later).
/// </summary>
[Trait("Category", "Fault")]
public sealed class TimeZoneRulesChangeTests
{
    private static readonly string OldData = Path.Combine(AppContext.BaseDirectory, "TzData", "tzdb2025b.nzd");
    private static readonly string[] Leads = ["P7D", "P1D", "PT0S"];
    private static readonly (string Id, string Zone, string Local)[] Deadlines =
    [
        ("bc-budget", "America/Vancouver", "2026-12-14T09:00"),
        ("ab-permit", "America/Edmonton", "2026-12-14T09:00"),
        ("cu-tariff", "America/Havana", "2026-12-14T09:00"),
        ("ma-quota", "Africa/Casablanca", "2026-12-14T17:00"),
    ];
    private static readonly string[] Subscribers = ["stockholm-desk", "beijing-desk"];

    private static Instant DueUnder(IDateTimeZoneProvider provider, string zone, string local) =>
        LocalDateTimePattern.CreateWithInvariantCulture("uuuu-MM-dd'T'HH:mm").Parse(local).Value.InZoneLeniently(provider[zone]).ToInstant();

    private static IDateTimeZoneProvider Old()
    {
        using var file = File.OpenRead(OldData);
        return new DateTimeZoneCache(TzdbDateTimeZoneSource.FromStream(file));
    }

    private static string At(Instant i) => InstantPattern.ExtendedIso.Format(i);

    [Fact(Timeout = 240_000)]
    public async Task Every_alert_fires_once_at_the_instant_of_the_tz_data_in_use_and_followers_are_told()
    {
        var old = Old();
        var now = DateTimeZoneProviders.Tzdb;
        using var receiver = new FaultReceiver();
        await using var dla = new DlaProcess(environment: DlaProcess.LoopbackSettings());
        var file = Records.File(
            Deadlines.Select(d => Records.Deadline(d.Id, d.Local, d.Zone, "tz", Leads, $"Deadline in {d.Zone}")).ToArray(),
            Subscribers.Select(s => Records.Subscriber(s, receiver.Url(s), s.StartsWith("stockholm", StringComparison.Ordinal) ? "Europe/Stockholm" : "Asia/Shanghai", ["tz"])).ToArray());

        // Planned and run with 2025b up to 7 Dec 16:30 UTC: the P7D alerts of Edmonton, Havana and Casablanca (old
        // instants 16:00, 14:00 and 16:00) are sent; Vancouver's (old 17:00) is still to come.
        dla.Environment["DeadlineAlerts__TimeZoneData"] = OldData;
        await dla.ImportAsync(file, "2026-12-01T00:00:00Z");
        var before = await dla.RunOkAsync("run", "--once", "--now", "2026-12-07T16:30:00Z");
        Assert.Equal(6, receiver.Count);

        // From here on the embedded 2026f: every run below is a new process with the data in use.
        dla.Environment.Remove("DeadlineAlerts__TimeZoneData");
        var version = await dla.RunOkAsync("--version");
        Assert.Contains("tz data 2026f", version.Stdout);
        var preview = await dla.RunAsync("preview", "--from", "2026-12-07T16:30:00Z", "--to", "2026-12-15T00:00:00Z");
        Assert.Contains("the schedule was planned with tz data 2025b and tz data 2026f is in use", preview.Stderr);
        // Before any tick has re-planned, the preview already shows the instants tz data 2026f means, nothing else.
        var previewJson = await dla.RunOkAsync("preview", "--from", "2026-12-07T16:30:00Z", "--to", "2026-12-15T00:00:00Z", "--json");
        var previewed = System.Text.Json.Nodes.JsonNode.Parse(previewJson.Stdout)!.AsArray()
            .Select(a => ((string)a!["alertId"]!, (string)a["fireAt"]!)).ToHashSet();
        var expectedPreview = (from d in Deadlines
                               from s in Subscribers
                               from lead in new[] { "P1D", "PT0S" } // each P7D fired before 16:30 under one data or the other
                               let l = LeadTime.Parse(lead)
                               let due = DueUnder(now, d.Zone, d.Local)
                               select (MessageId.ForAlert(d.Id, due, s, l).Value, At(l.FireInstantBefore(due.InZone(now[d.Zone]))))).ToHashSet();
        Assert.Equal(expectedPreview.Order(), previewed.Order());

        // The switch, 15 minutes later: the tick re-plans first. Vancouver's P7D, due at 2026f's 16:00, is sent now
        // (late, but not lost); Casablanca's P7D, sent at 2025b's 16:00, is not sent again at 2026f's 17:00.
        var switched = await dla.RunOkAsync("run", "--once", "--now", "2026-12-07T16:45:00Z");
        string[] ticks =
        [
            "2026-12-07T17:00:30Z",
            "2026-12-13T13:00:30Z", "2026-12-13T15:00:30Z", "2026-12-13T16:00:30Z", "2026-12-13T17:00:30Z",
            "2026-12-14T13:00:30Z", "2026-12-14T15:00:30Z", "2026-12-14T16:00:30Z", "2026-12-14T17:00:30Z",
        ];
        foreach (var t in ticks) await dla.RunOkAsync("run", "--once", "--now", t);

        // What must have arrived: each lead time of each pair once (P7D with the id it was sent under), and one notice
        // per moved deadline and subscriber; nothing else.
        var expected = new HashSet<string>(StringComparer.Ordinal);
        var newFire = new Dictionary<string, Instant>();
        foreach (var d in Deadlines)
            foreach (var s in Subscribers)
                foreach (var lead in Leads)
                {
                    var l = LeadTime.Parse(lead);
                    var sentBefore = lead == "P7D" && d.Id != "bc-budget";
                    var due = DueUnder(sentBefore ? old : now, d.Zone, d.Local);
                    var id = MessageId.ForAlert(d.Id, due, s, l).Value;
                    expected.Add(id);
                    if (!sentBefore) newFire[id] = l.FireInstantBefore(due.InZone(now[d.Zone]));
                }
        var problems = new List<string>();
        problems.AddRange(ExactlyOnce(expected, receiver.CountsById().Where(c => !c.Key.StartsWith("nt_", StringComparison.Ordinal)).ToDictionary(), "alerts across the tz data change"));
        var bodies = receiver.Requests.Select(r => JsonNode.Parse(r.Body)!).ToList();
        var notices = bodies.Where(b => (string?)b["type"] == "deadline.notice").ToList();
        if (notices.Count != Deadlines.Length * Subscribers.Length || notices.Select(n => (string?)n["alertId"]).Distinct().Count() != notices.Count)
            problems.Add($"expected one change notice per deadline and subscriber (8), each once; got {notices.Count}: " +
                         string.Join(" | ", notices.Select(n => (string?)n["text"])));
        foreach (var d in Deadlines)
            if (!notices.Any(n => ((string?)n["text"])!.StartsWith($"Time zone rules for {d.Zone} changed: Deadline in {d.Zone} is due", StringComparison.Ordinal)))
                problems.Add($"no notice says the rules of {d.Zone} changed; notices: {string.Join(" | ", notices.Select(n => ((string?)n["text"])?.Split('\n')[0]))}");
        foreach (var b in bodies.Where(b => (string?)b["type"] == "deadline.alert" && newFire.ContainsKey((string)b["alertId"]!)))
        {
            var id = (string)b["alertId"]!;
            if ((string?)b["fireAt"] != At(newFire[id]))
                problems.Add($"{b["deadline"]!["id"]} {b["leadTime"]} for {b["subscriberId"]} fired at {b["fireAt"]}, expected the 2026f instant {At(newFire[id])}");
            var expectLate = (string?)b["leadTime"] == "P7D"; // Vancouver's P7D, sent at the switch
            if ((bool)b["late"]! != expectLate)
                problems.Add($"{b["deadline"]!["id"]} {b["leadTime"]} for {b["subscriberId"]}: late = {b["late"]}, expected {expectLate}");
        }
        var vancouver = notices.First(n => (string?)n["deadline"]!["id"] == "bc-budget");
        Assert.True(problems.Count == 0, string.Join("\n", problems) + $"\n--- switch run:\n{switched.Output}");
        Assert.Equal("Time zone rules for America/Vancouver changed: Deadline in America/Vancouver is due Mon 14 Dec 09:00 MST, which is now Mon 14 Dec 16:00 UTC, 1 hour earlier than announced",
            ((string)vancouver["text"]!).Split('\n')[0]);

        // Casablanca's P7D under 2026f is recorded as already sent, not as a delivery.
        var ledger = await dla.AlertsAsync();
        var casablancaNew = MessageId.ForAlert("ma-quota", DueUnder(now, "Africa/Casablanca", "2026-12-14T17:00"), "beijing-desk", LeadTime.Parse("P7D")).Value;
        var row = ledger.Single(e => (string?)e!["alertId"] == casablancaNew);
        Assert.Equal("cancelled", (string?)row!["status"]);
        Assert.Contains("already sent at its earlier instant", (string?)row["lastError"]);

        // Nothing is left unfinished: every ledger row is final.
        var open = ledger.Where(e => (string?)e!["status"] is "planned" or "sending" or "retrying").Select(e => $"{e!["alertId"]} {e["status"]}").ToList();
        Assert.True(open.Count == 0, $"ledger rows not final: {string.Join(", ", open)}");

        // One audit entry by tzdb names both versions and every deadline that moved.
        var audit = JsonNode.Parse((await dla.RunOkAsync("audit", "--json")).Stdout)!.AsArray();
        var replanned = audit.Where(e => (string?)e!["actor"] == "tzdb" && (string?)e["action"] == "replanned").ToList();
        Assert.Single(replanned);
        var summary = (string)replanned[0]!["summary"]!;
        Assert.Contains("tz data 2025b → 2026f", summary);
        foreach (var d in Deadlines) Assert.Contains(d.Id, summary);
        Assert.Equal(4, audit.Count(e => (string?)e!["actor"] == "tzdb" && (string?)e["action"] == "zone-rules"));

        // A later process with the same data does not re-plan again.
        var again = await dla.RunOkAsync("run", "--once", "--now", "2026-12-15T00:00:00Z");
        var auditAfter = JsonNode.Parse((await dla.RunOkAsync("audit", "--json")).Stdout)!.AsArray();
        Assert.Single(auditAfter, e => (string?)e!["action"] == "replanned");
        _ = before; _ = again;
    }
}
