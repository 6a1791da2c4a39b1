using DeadlineAlerts.Testing;
using DeadlineAlerts.Testing.Processes;
using static DeadlineAlerts.Cli.Tests.Faults.FaultSupport;

namespace DeadlineAlerts.Cli.Tests.Faults;

/// <summary>
/// Nothing ran for four and a half days. The catch-up tick sends each subscriber one message per deadline (the
/// latest lead time that has passed, marked late) instead of every missed one, records the others as superseded, and
/// sends nothing for a deadline that passed more than a day ago.
/// </summary>
[Trait("Category", "Fault")]
public sealed class OutageCatchUpTests
{
    private static readonly DateTimeOffset Due = new(2026, 4, 20, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Stored = Due.AddDays(-10);
    private static readonly DateTimeOffset BeforeAny = Due.AddDays(-8);                   // T: before any lead time fires
    private static readonly DateTimeOffset CatchUp = Due.AddDays(-2.5);                   // T + 5.5 days: P7D, P5D, P3D passed, P2D not yet
    private static readonly DateTimeOffset StaleDue = CatchUp.AddDays(-1.5);              // passed 36 h before the catch-up

    [Fact(Timeout = 120_000)]
    public async Task After_a_four_day_outage_each_subscriber_gets_one_late_message_per_deadline()
    {
        using var receiver = new FaultReceiver();
        await using var dla = new DlaProcess(environment: DlaProcess.LoopbackSettings());
        string[] all = ["P7D", "P5D", "P3D", "P2D", "P1D", "PT0S"];
        var file = Records.File(
        [
            Records.Deadline("live-a", Local(Due), "Africa/Abidjan", "outage", all, "Live deadline A"),
            Records.Deadline("live-b", Local(Due.AddHours(1)), "Africa/Abidjan", "outage", all, "Live deadline B"),
            Records.Deadline("stale", Local(StaleDue), "Africa/Abidjan", "outage", ["P3D", "P1D", "PT0S"], "Stale deadline"),
        ],
        Enumerable.Range(0, 20).Select(i => Records.Subscriber($"s{i:00}", receiver.Url($"s{i:00}"), "Asia/Shanghai", ["outage"])).ToArray());
        await dla.ImportAsync(file, Iso(Stored));

        var first = await dla.RunAsync("run", "--once", "--now", Iso(BeforeAny));
        Assert.True(first.ExitCode == 0 && receiver.Count == 0,
            $"setup: the run at T (before any lead time) should exit 0 and send nothing; exit {first.ExitCode}, {receiver.Count} sent.\n{first.Output}");

        var missed = await dla.PreviewAsync(Iso(BeforeAny), Iso(CatchUp));
        var live = missed.Where(a => (string?)a!["deadlineId"] != "stale").ToList();
        var newest = live.Where(a => (string?)a!["leadTime"] == "P3D").Select(a => (string)a!["alertId"]!).ToHashSet();
        var superseded = live.Where(a => (string?)a!["leadTime"] is "P7D" or "P5D").Select(a => (string)a!["alertId"]!).ToHashSet();
        var stale = missed.Where(a => (string?)a!["deadlineId"] == "stale").Select(a => (string)a!["alertId"]!).ToHashSet();
        Assert.True(newest.Count == 40 && superseded.Count == 80 && stale.Count == 60 && live.Count == 120,
            $"setup: expected 40 P3D, 80 P7D/P5D and 60 stale alerts in the outage; preview shows {newest.Count}, {superseded.Count}, {stale.Count} (live {live.Count})");

        var catchUp = await dla.RunAsync("run", "--once", "--now", Iso(CatchUp));
        var ledger = await dla.AlertsAsync();

        var expect = new Expectations();
        expect.That(catchUp.ExitCode == 0, $"the catch-up run should exit 0; it exited {catchUp.ExitCode}");
        var perPair = receiver.Requests
            .Select(r => live.FirstOrDefault(a => (string?)a!["alertId"] == r.WebhookId))
            .Where(a => a is not null)
            .GroupBy(a => ((string?)a!["subscriberId"], (string?)a["deadlineId"]))
            .Where(g => g.Count() != 1).Select(g => $"{g.Key.Item1}/{g.Key.Item2}: {g.Count()} ({string.Join(" ", g.Select(a => (string?)a!["leadTime"]))})").ToList();
        expect.That(perPair.Count == 0, $"each subscriber should get exactly ONE message per live deadline in the catch-up run; {Sample(perPair, 5)}");
        expect.Add(ExactlyOnce(newest, receiver, "the catch-up run (only the newest passed lead time, P3D, of each pair)"));
        var stalesSent = receiver.Requests.Where(r => stale.Contains(r.WebhookId ?? "")).ToList();
        expect.That(stalesSent.Count == 0, $"nothing should be sent for the deadline that passed 36 h before the catch-up; sent {stalesSent.Count} (e.g. {stalesSent.FirstOrDefault()?.Body})");

        var byAlert = ledger.GroupBy(e => (string)e!["alertId"]!).ToDictionary(g => g.Key, g => g.ToList());
        var notLate = newest.Where(id => !byAlert.TryGetValue(id, out var rows) || rows.Any(e => (bool?)e!["late"] != true || (string?)e["status"] != "delivered")).ToList();
        expect.That(notLate.Count == 0, $"the P3D rows should be delivered and marked late in `dla alerts --json`; {Sample(notLate.Select(id => $"{id}: {Describe(byAlert, id)}"), 4)}");
        var notSuperseded = superseded.Where(id => !byAlert.TryGetValue(id, out var rows) || rows.Any(e => (string?)e!["status"] != "superseded")).ToList();
        expect.That(notSuperseded.Count == 0, $"the P7D and P5D rows should have status \"superseded\" in `dla alerts --json`; {Sample(notSuperseded.Select(id => $"{id}: {Describe(byAlert, id)}"), 4)}");
        var staleWrong = stale.Where(id => !byAlert.TryGetValue(id, out var rows) || rows.Any(e => (string?)e!["status"] != "skipped"
            || !System.Text.RegularExpressions.Regex.IsMatch((string?)e["lastError"] ?? "", "stale|late", System.Text.RegularExpressions.RegexOptions.IgnoreCase))).ToList();
        expect.That(staleWrong.Count == 0, $"the stale deadline's rows should be \"skipped\" with a lastError mentioning stale/late; {Sample(staleWrong.Select(id => $"{id}: {Describe(byAlert, id)}"), 4)}");

        expect.Verify($"catch-up run output:\n{(catchUp.Output.Length > 3000 ? catchUp.Output[..3000] + "…" : catchUp.Output)}");
    }

    private static string Describe(Dictionary<string, List<System.Text.Json.Nodes.JsonNode?>> byAlert, string id) =>
        byAlert.TryGetValue(id, out var rows)
            ? string.Join("; ", rows.Select(e => $"{(string?)e!["leadTime"]} {(string?)e["status"]} late={(bool?)e["late"]} \"{(string?)e["lastError"]}\""))
            : "no ledger row";
}
