using System.Text;
using DeadlineAlerts.App.Api;
using DeadlineAlerts.Storage.Audit;
using DeadlineAlerts.Storage.Records;
using DeadlineAlerts.Testing;
using NodaTime;
using static DeadlineAlerts.Testing.Records;

namespace DeadlineAlerts.App.Tests;

/// <summary>Import and the API write records through one path: both re-plan alerts and leave audit entries.</summary>
public sealed class RecordWriterTests
{
    private static readonly Instant Now = Instant.FromUtc(2025, 7, 29, 8, 0);

    [Fact]
    public async Task Import_audits_each_added_and_updated_record_once_and_an_unchanged_one_not_at_all()
    {
        await using var t = await TestInstallation.CreateAsync(Now);
        await t.ImportAsync(File([Deadline("aug", "2025-08-12T00:01"), Deadline("nov", "2025-11-10T00:01")], [Subscriber("desk", "http://127.0.0.1:9/hook")]));
        t.Clock.Advance(Duration.FromMinutes(5));
        await t.ImportAsync(File([Deadline("aug", "2025-08-12T00:01", title: "Renamed"), Deadline("nov", "2025-11-10T00:01")], [Subscriber("desk", "http://127.0.0.1:9/hook")]));

        var entries = await t.Get<AuditLog>().QueryAsync();
        Assert.Equal(["updated deadline aug", "created deadline aug", "created deadline nov", "created subscriber desk"],
            entries.Select(e => $"{e.Action} {e.RecordKind} {e.RecordId}").Take(1).Concat(entries.Skip(1).Select(e => $"{e.Action} {e.RecordKind} {e.RecordId}").Order()));
        Assert.All(entries, e => Assert.Equal("import", e.Actor));
        Assert.Equal("title: 'Deadline aug' → 'Renamed'", entries[0].Summary);
    }

    [Fact]
    public async Task A_channel_id_the_subscriber_does_not_have_is_refused_rather_than_stored_redacted()
    {
        await using var t = await TestInstallation.CreateAsync(Now, new Dictionary<string, string?> { ["DeadlineAlerts:OperatorKey"] = "k" });
        var response = await t.Get<ApiRouter>().HandleAsync(new ApiRequest
        {
            Method = "POST",
            Path = "/api/subscribers",
            Headers = new Dictionary<string, string> { ["X-Operator-Key"] = "k", ["Content-Type"] = "application/json" },
            Body = Encoding.UTF8.GetBytes("""{"id":"desk","name":"Desk","categories":["tariff"],"channels":[{"type":"slack","url":"https://hooks.slack.com/services/T0/***","id":"slack-0123456789"}]}"""),
        });
        Assert.Equal(400, response.Status);
        Assert.Contains("\"field\": \"channels[0].id\"", response.BodyText);
        Assert.Null(await t.Get<RecordStore>().GetSubscriberAsync("desk"));
    }
}
