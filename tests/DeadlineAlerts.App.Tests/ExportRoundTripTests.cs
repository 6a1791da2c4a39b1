using Azure.Data.Tables;
using DeadlineAlerts.App.Export;
using DeadlineAlerts.App.Import;
using DeadlineAlerts.App.Scan;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Storage;
using DeadlineAlerts.Testing;
using NodaTime;

namespace DeadlineAlerts.App.Tests;

/// <summary>Export writes import files: importing one again changes no record and plans no alert.</summary>
public sealed class ExportRoundTripTests
{
    private static readonly Instant July29 = Instant.FromUtc(2025, 7, 29, 8, 0);

    private const string Json = """
        {
          "deadlines": [
            { "id": "us-china-tariff-truce", "title": "US-China tariff truce expires", "due": "2025-08-12T00:01",
              "timeZone": "America/New_York", "category": "tariff", "leadTimes": ["P7D", "P1D", "PT0S"],
              "source": "https://example.org/article", "notes": "90-day pause, \"Geneva\",\nsecond line" },
            { "id": "fall-back", "title": "The later 01:30", "due": "2025-11-02T01:30-05:00", "timeZone": "America/New_York", "category": "tariff" },
            { "id": "eu-steel", "title": "EU steel safeguard", "due": "2026-06-30T23:59", "timeZone": "Europe/Brussels", "status": "resolved" },
            { "id": "us-tariff-rates", "title": "USTR publishes the monthly tariff-rate schedule", "due": "2025-08-15T09:00",
              "timeZone": "America/New_York", "category": "tariff", "recurrence": "FREQ=MONTHLY;BYMONTHDAY=15;COUNT=12" }
          ],
          "subscribers": [
            { "id": "beijing-desk", "name": "Beijing desk", "timeZone": "Asia/Shanghai", "categories": ["tariff"], "leadTimes": ["P1D"],
              "digest": { "every": "week", "on": "monday", "at": "08:00" },
              "channels": [
                { "type": "webhook", "url": "https://hooks.example.org/T000/B000/secret-token", "secret": "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" },
                { "type": "slack", "url": "https://hooks.slack.com/services/T000/B000/XXXX" },
                { "type": "email", "address": "desk@example.com" } ] },
            { "id": "gen-desk", "name": "Generated secret", "deadlines": ["eu-steel"],
              "channels": [ { "type": "webhook", "url": "https://hooks.example.org/generated" } ] }
          ]
        }
        """;

    private static async Task<ImportResult> ImportAsync(TestInstallation t, string text, bool csv = false)
    {
        var reader = t.Get<RecordReader>();
        var set = csv ? reader.ReadCsv(text, t.Clock.GetCurrentInstant()) : reader.ReadJson(text, t.Clock.GetCurrentInstant());
        return await t.Get<ImportService>().ImportAsync(set);
    }

    private static async Task<int> RowsAsync(TestInstallation t, Func<StorageNames, string> table)
    {
        var clients = t.Get<StorageClients>();
        var n = 0;
        await foreach (var _ in clients.Table(table(clients.Names)).QueryAsync<TableEntity>()) n++;
        return n;
    }

    [Fact]
    public async Task Json_export_imported_again_changes_nothing_and_plans_nothing()
    {
        await using var t = await TestInstallation.CreateAsync(July29);
        await ImportAsync(t, Json);
        t.Clock.Reset(Instant.FromUtc(2025, 8, 11, 4, 1, 30)); // the P1D alert is due: the ledger has rows
        await t.Get<ScanService>().TickAsync();
        var schedule = await RowsAsync(t, n => n.Schedule);
        var ledger = await RowsAsync(t, n => n.Ledger);

        var export = await t.Get<ExportService>().JsonAsync(includeSecrets: true);
        t.Clock.Advance(Duration.FromDays(1));
        var again = await ImportAsync(t, export);

        Assert.Empty(again.Added);
        Assert.Empty(again.Updated);
        Assert.Equal(6, again.Unchanged.Count);
        Assert.Empty(again.GeneratedSecrets);
        Assert.Equal(0, again.AlertsScheduled);
        Assert.Equal(schedule, await RowsAsync(t, n => n.Schedule));
        Assert.Equal(ledger, await RowsAsync(t, n => n.Ledger));
        Assert.Equal(export, await t.Get<ExportService>().JsonAsync(includeSecrets: true));
        Assert.Contains("\"due\": \"2025-11-02T01:30:00-05:00\"", export);
        Assert.Contains("\"digest\": {", export);
        Assert.Contains("\"recurrence\": \"FREQ=MONTHLY;BYMONTHDAY=15;COUNT=12\"", export);
    }

    [Fact]
    public async Task Json_export_without_secrets_shows_no_url_token_or_signing_secret()
    {
        await using var t = await TestInstallation.CreateAsync(July29);
        await ImportAsync(t, Json);

        var export = await t.Get<ExportService>().JsonAsync(includeSecrets: false);

        Assert.DoesNotContain("secret-token", export);
        Assert.DoesNotContain("XXXX", export);
        Assert.DoesNotContain("whsec_", export);
        Assert.Contains("desk@example.com", export);
        Assert.True(await t.Get<ExportService>().HasSecretChannelsAsync());
    }

    [Fact]
    public async Task Csv_export_imported_again_changes_nothing_and_plans_nothing()
    {
        await using var t = await TestInstallation.CreateAsync(July29);
        await ImportAsync(t, Json);
        var csv = await t.Get<ExportService>().CsvAsync();
        var schedule = await RowsAsync(t, n => n.Schedule);

        var again = await ImportAsync(t, csv, csv: true);

        Assert.Equal(["deadline eu-steel", "deadline fall-back", "deadline us-china-tariff-truce", "deadline us-tariff-rates"], again.Unchanged.Order());
        Assert.Contains(",active,FREQ=MONTHLY;BYMONTHDAY=15;COUNT=12\r\n", csv);
        Assert.Empty(again.Updated);
        Assert.Equal(0, again.AlertsScheduled);
        Assert.Equal(schedule, await RowsAsync(t, n => n.Schedule));
        Assert.Equal(csv, await t.Get<ExportService>().CsvAsync());
        Assert.Contains("\"90-day pause, \"\"Geneva\"\",\nsecond line\"", csv);
    }

    [Fact]
    public async Task A_csv_import_is_all_or_nothing()
    {
        await using var t = await TestInstallation.CreateAsync(July29);
        var csv = "id,title,due,timeZone\ngood,Good,2025-09-01T09:00,UTC\nbad,Bad,2025-09-31T09:00,UTC\n";

        Assert.Throws<RecordValidationException>(() => t.Get<RecordReader>().ReadCsv(csv, July29));
        Assert.Empty(await t.Get<Storage.Records.RecordStore>().ListDeadlinesAsync());
    }
}
