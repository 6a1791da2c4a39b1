using System.Text.Json.Nodes;
using Azure.Data.Tables;
using DeadlineAlerts.Storage.Records;
using DeadlineAlerts.Testing;
using DeadlineAlerts.Testing.Processes;
using static DeadlineAlerts.Cli.Tests.Faults.FaultSupport;

namespace DeadlineAlerts.Cli.Tests.Faults;

/// <summary>
/// Rows that a tick meets but cannot read (hand-edited in Storage Explorer, written by an older or newer version):
/// the tick names each one and goes on; every healthy alert of the window is still sent once.
/// The records are imported whole (so their schedule rows are real), then one column of each is spoiled in place.
/// </summary>
[Trait("Category", "Fault")]
public sealed class MalformedRowTests
{
    private static readonly DateTimeOffset T = new(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Bad deadline id → the column spoiled and the field the output must name.</summary>
    private static readonly (string Id, string Field)[] BadDeadlines =
    [
        ("bad-due", "DueLocal"),      // DueLocal = "next tuesday"
        ("no-due", "DueLocal"),       // DueLocal removed
        ("bad-leads", "LeadTimes"),   // LeadTimes = "P1D banana"
        ("mars-zone", "TimeZone"),    // TimeZone = "Mars/Olympus"
    ];

    private const string BadSubscriber = "bad-channels"; // Channels = "{not json"
    private const string SchedRowDeadline = "sched-row";  // one of its schedule rows gets LeadTime = "soon"

    [Fact(Timeout = 120_000)]
    public async Task A_tick_names_unreadable_rows_fails_their_alerts_and_sends_every_healthy_alert_once()
    {
        using var receiver = new FaultReceiver();
        await using var dla = new DlaProcess(environment: DlaProcess.LoopbackSettings());
        string[] healthy = ["h0", "h1", "h2"];
        var deadlineIds = healthy.Concat(BadDeadlines.Select(b => b.Id)).Append(SchedRowDeadline).ToList();
        string[] subscriberIds = ["s0", "s1", "s2", BadSubscriber];
        var file = Records.File(
            deadlineIds.Select((id, k) => Records.Deadline(id, Local(T.AddSeconds(-k).AddDays(1)), "Africa/Abidjan", "fault", ["P1D"], $"Deadline {id}")).ToArray(),
            subscriberIds.Select(id => Records.Subscriber(id, receiver.Url(id), "Asia/Shanghai", ["fault"])).ToArray());
        await dla.ImportAsync(file, Iso(T.AddDays(-2)));
        var preview = await dla.PreviewAsync(Iso(T.AddDays(-2)), Iso(T));
        Assert.True(preview.Count == deadlineIds.Count * subscriberIds.Length,
            $"setup: expected {deadlineIds.Count * subscriberIds.Length} alerts in the window, preview shows {preview.Count}");

        // Spoil the rows in place.
        var service = new TableServiceClient(dla.Storage);
        var deadlines = service.GetTableClient(dla.Prefix + "deadlines");
        var subscribers = service.GetTableClient(dla.Prefix + "subscribers");
        var schedule = service.GetTableClient(dla.Prefix + "schedule");
        await Spoil(deadlines, RecordStore.DeadlinePartition("bad-due"), "bad-due", e => e["DueLocal"] = "next tuesday");
        await Spoil(deadlines, RecordStore.DeadlinePartition("no-due"), "no-due", e => e.Remove("DueLocal"));
        await Spoil(deadlines, RecordStore.DeadlinePartition("bad-leads"), "bad-leads", e => e["LeadTimes"] = "P1D banana");
        await Spoil(deadlines, RecordStore.DeadlinePartition("mars-zone"), "mars-zone", e => e["TimeZone"] = "Mars/Olympus");
        await Spoil(subscribers, RecordStore.SubscriberPartition(BadSubscriber), BadSubscriber, e => e["Channels"] = "{not json");
        var soonAlertId = (string)preview.First(a => (string?)a!["deadlineId"] == SchedRowDeadline && (string?)a["subscriberId"] == "s0")!["alertId"]!;
        TableEntity? soonRow = null;
        await foreach (var e in schedule.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"AlertId eq {soonAlertId}"))) soonRow ??= e;
        Assert.True(soonRow is not null, $"setup: no schedule row for alert {soonAlertId}");
        soonRow!["LeadTime"] = "soon";
        await schedule.UpdateEntityAsync(soonRow, soonRow.ETag, TableUpdateMode.Replace);

        var badDeadlineIds = BadDeadlines.Select(b => b.Id).ToHashSet();
        var healthyAlerts = preview
            .Where(a => !badDeadlineIds.Contains((string)a!["deadlineId"]!) && (string?)a!["subscriberId"] != BadSubscriber && (string?)a["alertId"] != soonAlertId)
            .Select(a => (string)a!["alertId"]!).ToHashSet();
        var marsAlerts = preview.Where(a => (string?)a!["deadlineId"] == "mars-zone").Select(a => (string)a!["alertId"]!).ToHashSet();

        var run = await dla.RunAsync("run", "--once", "--now", Iso(T));
        var ledger = await dla.AlertsAsync();
        var lines = run.Output.Split('\n');

        var expect = new Expectations();
        expect.That(run.ExitCode == 0, $"`dla run --once` should exit 0 despite unreadable rows; it exited {run.ExitCode}");
        var stack = StackTraceLines(run.Output).ToList();
        expect.That(stack.Count == 0, $"`dla run --once` should print no stack trace or \"Unhandled exception\"; it printed {Sample(stack, 3)}");
        expect.Add(ExactlyOnce(healthyAlerts, receiver, $"the {healthyAlerts.Count} healthy alerts"));

        foreach (var (id, field) in BadDeadlines.Append((BadSubscriber, "Channels")))
            expect.That(lines.Any(l => l.Contains(id) && l.Contains(field)),
                $"the output of `dla run --once` should have a line naming the unreadable record \"{id}\" and its field \"{field}\"");
        expect.That(lines.Any(l => l.Contains("LeadTime") && (l.Contains(soonAlertId) || l.Contains(SchedRowDeadline))),
            $"the output should have a line naming the unreadable schedule row (alert {soonAlertId} or deadline {SchedRowDeadline}) and its field \"LeadTime\"");

        foreach (var (id, field) in BadDeadlines)
        {
            var rows = ledger.Where(e => (string?)e!["deadlineId"] == id).ToList();
            var subs = rows.Select(e => (string?)e!["subscriberId"]).ToHashSet();
            expect.That(new[] { "s0", "s1", "s2" }.All(subs.Contains),
                $"`dla alerts --json` should have a row for deadline {id}'s alert to each of s0, s1, s2; it has rows for [{string.Join(", ", subs)}]");
            var wrong = rows.Where(e => (string?)e!["status"] != "failed" || !(((string?)e["lastError"]) ?? "").Contains(field))
                .Select(e => $"{(string?)e!["subscriberId"]}: status {(string?)e["status"]}, lastError \"{(string?)e["lastError"]}\"").ToList();
            expect.That(wrong.Count == 0, $"deadline {id}'s ledger rows should be status \"failed\" with a lastError naming {field}; {Sample(wrong, 4)}");
        }

        var marsSent = receiver.Requests.Where(r => marsAlerts.Contains(r.WebhookId ?? "") || r.Body.Contains("mars-zone") || r.Body.Contains("Deadline mars-zone")).ToList();
        expect.That(marsSent.Count == 0, $"the deadline in zone Mars/Olympus must never be sent (not in UTC or any other zone); {marsSent.Count} request(s) carried it, e.g. {marsSent.FirstOrDefault()?.Body}");
        var badSent = receiver.Requests.Where(r => !healthyAlerts.Contains(r.WebhookId ?? "")).Select(r => r.WebhookId ?? "?").ToList();
        expect.That(badSent.Count == 0, $"no alert of an unreadable record should be sent; sent {Sample(badSent)}");

        // Health reports how many unreadable records the installation has met.
        var (serve, api) = await ServeAsync(dla, "--now", Iso(T.AddMinutes(1)));
        const int bad = 6; // 4 deadlines, 1 subscriber, 1 schedule row
        var health = await PollHealthAsync(api, h => h.Json?["unreadableRecords"] is JsonValue v && v.TryGetValue<int>(out var n) && n >= bad, TimeSpan.FromSeconds(15));
        var count = health.Json?["unreadableRecords"] is JsonValue cv && cv.TryGetValue<int>(out var c) ? c : (int?)null;
        expect.That(count >= bad, $"GET /api/health should carry \"unreadableRecords\" ≥ {bad} (a number); it answered {health.Status}: {health.Body}");
        await serve.DisposeAsync();

        expect.Verify($"`dla run --once` output:\n{(run.Output.Length > 4000 ? run.Output[..4000] + "…" : run.Output)}");
    }

    private static async Task Spoil(TableClient table, string partition, string id, Action<TableEntity> change)
    {
        var entity = (await table.GetEntityAsync<TableEntity>(partition, id)).Value;
        change(entity);
        await table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace);
    }
}
