using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Azure.Data.Tables;
using DeadlineAlerts.App.Api;
using DeadlineAlerts.App.Records;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Storage;
using DeadlineAlerts.Storage.Audit;
using DeadlineAlerts.Storage.Records;
using DeadlineAlerts.Testing;
using NodaTime;
using static DeadlineAlerts.Testing.Records;

namespace DeadlineAlerts.App.Tests;

/// <summary>
/// Bad input is refused before anything is written (README "Limits and characters"): by the reader for a field
/// over its limit, by the record writer for a row Table Storage would not hold, and a storage refusal that still
/// happens names the records. Each test counts the rows of every table afterwards.
/// </summary>
public sealed class InputLimitsTests
{
    private static readonly Instant Aug6 = Instant.FromUtc(2025, 8, 6, 12, 0);

    private static Task<TestInstallation> InstallAsync() =>
        TestInstallation.CreateAsync(Aug6, new Dictionary<string, string?> { ["DeadlineAlerts:OperatorKey"] = "alice=key-1" });

    private static ApiRequest Request(string method, string path, byte[] body) => new()
    {
        Method = method,
        Path = path,
        Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer key-1", ["Content-Type"] = "application/json" },
        Body = body,
    };

    private static ApiRequest Post(string path, object body) => Request("POST", path, Encoding.UTF8.GetBytes(JsonSerializer.Serialize(body)));

    /// <summary>Rows in every table of the installation but the state table (which the first store creates rows in).</summary>
    private static async Task<Dictionary<string, int>> RowsAsync(TestInstallation t)
    {
        var clients = t.Get<StorageClients>();
        var counts = new Dictionary<string, int>();
        foreach (var table in new[] { clients.Names.Deadlines, clients.Names.Subscribers, clients.Names.Schedule, clients.Names.Ledger, clients.Names.Audit })
        {
            var n = 0;
            await foreach (var _ in clients.Table(table).QueryAsync<TableEntity>()) n++;
            counts[table[clients.Names.Prefix.Length..]] = n;
        }
        return counts;
    }

    private static readonly Dictionary<string, int> Nothing = new() { ["deadlines"] = 0, ["subscribers"] = 0, ["schedule"] = 0, ["ledger"] = 0, ["audit"] = 0 };

    /// <summary>A subscriber within every reader limit whose channels column (JSON, 20 URLs of 2,000 characters) is
    /// larger than one Table Storage property.</summary>
    private static object WideSubscriber(string id) => new
    {
        id,
        name = "Many hooks",
        categories = new[] { "tariff" },
        channels = Enumerable.Range(0, 20).Select(i => new { type = "slack", url = $"https://hooks.example.com/{i:D2}/" + new string('t', 1_970) }).ToArray(),
    };

    [Fact]
    public async Task A_file_with_one_valid_and_one_over_long_deadline_writes_nothing()
    {
        await using var t = await InstallAsync();
        var file = File([Deadline("good", "2025-09-01T09:00"), Deadline("long", "2025-09-01T09:00", title: new string('x', 60_000))],
            [Subscriber("desk", "https://hooks.example.com/desk")]);

        var e = await Assert.ThrowsAsync<RecordValidationException>(() => t.ImportAsync(file));

        var p = Assert.Single(e.Problems);
        Assert.Equal(("deadline long", "title"), (p.Record, p.Field));
        Assert.Contains("at most 1,000 characters are accepted", p.Message);
        Assert.Equal(Nothing, await RowsAsync(t));
    }

    [Fact]
    public async Task A_record_whose_row_storage_would_refuse_is_refused_before_any_write_naming_record_field_and_limit()
    {
        await using var t = await InstallAsync();
        var file = File([Deadline("good", "2025-09-01T09:00")], [Subscriber("desk", "https://hooks.example.com/desk"), WideSubscriber("wide")]);

        var e = await Assert.ThrowsAsync<RecordValidationException>(() => t.ImportAsync(file));

        var p = Assert.Single(e.Problems);
        Assert.Equal(("subscriber wide", "channels"), (p.Record, p.Field));
        Assert.Matches(@"^takes [\d,]+ bytes as stored \(Channels column, UTF-16, as JSON\); Table Storage holds at most 65,536 bytes in one property; shorten it or give fewer entries$", p.Message);
        Assert.Equal(Nothing, await RowsAsync(t));
    }

    [Fact]
    public async Task Api_post_of_an_over_long_title_is_a_400_naming_record_field_and_limit_and_writes_nothing()
    {
        await using var t = await InstallAsync();
        var router = t.Get<ApiRouter>();

        var response = await router.HandleAsync(Post("/api/deadlines",
            new { id = "long", title = new string('x', 60_000), due = "2025-09-01T09:00", timeZone = "UTC", notes = "bell\u0007" }));

        Assert.Equal(400, response.Status);
        var problem = JsonNode.Parse(response.BodyText)!;
        Assert.Equal("deadline long: 2 problem(s); nothing was written.", (string?)problem["detail"]);
        Assert.Equal(
            [
                ("title", "is 60,000 characters long (120,000 bytes as stored); at most 1,000 characters are accepted; shorten it, and put longer text in notes"),
                ("notes", "holds the control character U+0007 (BEL) at character 5; remove it (only notes may hold tab and line feed)"),
            ],
            problem["errors"]!.AsArray().Select(x => ((string)x!["field"]!, (string)x["problem"]!)));
        Assert.Equal(Nothing, await RowsAsync(t));
    }

    [Fact]
    public async Task Api_post_of_a_subscriber_too_large_for_its_row_is_a_400_and_writes_nothing()
    {
        await using var t = await InstallAsync();

        var response = await t.Get<ApiRouter>().HandleAsync(Post("/api/subscribers", WideSubscriber("wide")));

        Assert.Equal(400, response.Status);
        var problem = JsonNode.Parse(response.BodyText)!;
        Assert.Equal("subscriber wide: 1 problem(s); nothing was written.", (string?)problem["detail"]);
        Assert.Equal("channels", (string?)problem["errors"]![0]!["field"]);
        Assert.Contains("at most 65,536 bytes in one property", (string?)problem["errors"]![0]!["problem"]);
        Assert.Equal(Nothing, await RowsAsync(t));
    }

    [Fact]
    public async Task Api_body_over_one_megabyte_is_refused_before_it_is_read()
    {
        await using var t = await InstallAsync();
        var body = Encoding.UTF8.GetBytes("{\"id\": \"big\", \"notes\": \"" + new string('n', 1024 * 1024) + "\"}");

        var response = await t.Get<ApiRouter>().HandleAsync(Request("POST", "/api/deadlines", body));

        Assert.Equal(413, response.Status);
        Assert.Equal("A body is one record; at most 1,048,576 bytes are accepted. Nothing was written.", (string?)JsonNode.Parse(response.BodyText)!["detail"]);
        Assert.Equal(Nothing, await RowsAsync(t));
    }

    [Fact]
    public async Task A_storage_refusal_that_still_happens_names_the_records()
    {
        await using var t = await InstallAsync();
        var deadline = Assert.Single(t.Get<RecordReader>().ReadJson(File([Deadline("truce", "2025-09-01T09:00")], []), Aug6).Deadlines);

        var e = await Assert.ThrowsAsync<StorageRefusedException>(() => t.Get<RecordWriter>().WriteAsync(
            [new DeadlineChange(null, deadline, AuditAction.Created)], [], "test",
            _ => throw new RequestFailedException(400, "The property value exceeds the maximum allowed size (64KB).", "PropertyValueTooLarge", null)));

        Assert.Equal("Storage refused to store deadline truce (400 PropertyValueTooLarge); the record is larger or stranger than the table holds. " +
                     "Shorten its longest fields (README \"Limits\") and try again.", e.Message);
        Assert.DoesNotContain("Azurite", e.Message);
    }

    [Fact]
    public async Task A_record_at_the_limits_is_stored_and_audited_whole_across_audit_properties()
    {
        await using var t = await InstallAsync();
        // 16,000 quotes: each is \" in JSON, so the audit's record JSON is over 32,000 characters and takes two properties.
        var notes = new string('"', 16_000);
        var file = JsonSerializer.Serialize(new
        {
            deadlines = new[] { new { id = "full", title = new string('T', 1_000), due = "2025-09-01T09:00", timeZone = "UTC", category = new string('c', 200), notes } },
        });

        await t.ImportAsync(file);

        Assert.Equal(notes, (await t.Get<RecordStore>().GetDeadlineAsync("full"))!.Value.Notes);
        var entry = Assert.Single(await t.Get<AuditLog>().QueryAsync("deadline", "full"));
        Assert.True(entry.After!.Length > AuditLog.PropertyChars);
        Assert.Equal(notes, (string?)JsonNode.Parse(entry.After)!["notes"]);
        Assert.Contains("notes '\"\"\"", entry.Summary);
        Assert.Contains("(16,000 characters)", entry.Summary);
        Assert.True(entry.Summary!.Length < 2_000, "the summary shows long values cut short");
    }
}
