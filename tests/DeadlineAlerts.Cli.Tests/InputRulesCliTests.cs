using System.Text;
using Azure.Data.Tables;
using DeadlineAlerts.Storage.Records;
using DeadlineAlerts.Testing;
using static DeadlineAlerts.Testing.Records;

namespace DeadlineAlerts.Cli.Tests;

/// <summary>
/// dla import refuses what storage or a terminal cannot take, with exit code 1 and nothing written; and every
/// listing escapes control characters that a record stored before these rules (or written to the table
/// directly) may still hold.
/// </summary>
public sealed class InputRulesCliTests : DlaTestBase
{
    private TableClient Table(string name) => new TableServiceClient(TestInstallation.Storage).GetTableClient(_prefix + name);

    private async Task<int> RowsAsync(string table)
    {
        var n = 0;
        try { await foreach (var _ in Table(table).QueryAsync<TableEntity>()) n++; }
        catch (Azure.RequestFailedException e) when (e.Status == 404) { }
        return n;
    }

    private async Task AssertNothingWrittenAsync()
    {
        foreach (var table in new[] { "deadlines", "subscribers", "schedule", "audit" })
            Assert.True(await RowsAsync(table) == 0, $"{table} has rows");
    }

    [Fact]
    public async Task A_file_with_one_valid_and_one_over_long_deadline_exits_1_and_writes_nothing()
    {
        var file = WriteFile(File(
            [Deadline("good", "2026-03-09T09:00"), Deadline("long", "2026-03-09T09:00", title: new string('x', 60_000))],
            [Subscriber("desk", "https://hooks.example.com/desk")]));

        var (code, stdout, stderr) = await Dla("import", file, "--now", "2026-01-01T00:00:00Z");

        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Equal(
            "Nothing was imported: 1 problem(s) found.\n" +
            $"  deadline long: title \"{new string('x', 80)}…\" is 60,000 characters long (120,000 bytes as stored); at most 1,000 characters are accepted; shorten it, and put longer text in notes\n",
            stderr.ReplaceLineEndings("\n"));
        Assert.DoesNotContain("Azurite", stderr);
        await AssertNothingWrittenAsync();
    }

    [Fact]
    public async Task A_file_over_16_MiB_is_refused_before_it_is_read()
    {
        var path = Write("big.json", "{\"deadlines\": [], \"notes\": \"" + new string('n', 16 * 1024 * 1024) + "\"}");

        var (code, _, stderr) = await Dla("import", path);

        Assert.Equal(1, code);
        Assert.Equal("Nothing was imported: 1 problem(s) found.\n  file big.json: size is 16,777,246 bytes; an import file may be at most 16,777,216 bytes (16 MiB); split it into several files\n",
            stderr.ReplaceLineEndings("\n"));
        await AssertNothingWrittenAsync();
    }

    [Fact]
    public async Task Invalid_UTF8_is_refused_with_its_byte_offset()
    {
        var path = Path.Combine(_dir, "latin1.csv");
        await System.IO.File.WriteAllBytesAsync(path, Encoding.Latin1.GetBytes("id,title,due,timeZone\ncafe,Café,2026-03-09T09:00,UTC\n"));

        var (code, _, stderr) = await Dla("import", path);

        Assert.Equal(1, code);
        Assert.Contains("file latin1.csv: encoding is not valid UTF-8: the byte at offset 30 (0xE9) does not begin a UTF-8 character", stderr);
        await AssertNothingWrittenAsync();
    }

    [Fact]
    public async Task Escape_sequences_and_trailing_dot_hosts_in_a_file_are_refused()
    {
        var file = WriteFile(File(
            [Deadline("truce", "2026-03-09T09:00", title: "Truce \u001b]0;owned\u0007 ends")],
            [Subscriber("desk", "https://localhost./hook")]));

        var (code, stdout, stderr) = await Dla("import", file, "--now", "2026-01-01T00:00:00Z");

        Assert.Equal(1, code);
        Assert.Contains("deadline truce: title \"Truce \\u001b]0;owned\\u0007 ends\" holds the control character U+001B (ESC) at character 7", stderr);
        Assert.Contains("subscriber desk: channels[0].url \"https://localhost./***\" points at localhost", stderr);
        Assert.DoesNotContain('\u001b', stdout + stderr);
        Assert.DoesNotContain('\u0007', stdout + stderr);
        await AssertNothingWrittenAsync();
    }

    [Fact]
    public async Task A_milestone_reason_over_its_limit_or_with_an_escape_changes_nothing()
    {
        var file = WriteFile(File([Deadline("truce", "2026-03-09T09:00")], []));
        Assert.Equal(0, (await Dla("import", file, "--now", "2026-01-01T00:00:00Z")).Code);

        var escaped = await Dla("resolve", "truce", "--reason", "done\u001b[2J", "--now", "2026-01-02T00:00:00Z");
        var longer = await Dla("extend", "truce", "--to", "2026-04-09T09:00", "--reason", new string('r', 1_001), "--now", "2026-01-02T00:00:00Z");

        Assert.Equal((1, "deadline truce: reason holds the control character U+001B (ESC) at character 5; remove it (only notes may hold tab and line feed); nothing was changed"),
            (escaped.Code, escaped.Err.Trim()));
        Assert.Equal(1, longer.Code);
        Assert.Contains("deadline truce: reason is 1,001 characters long (2,002 bytes as stored); at most 1,000 characters are accepted", longer.Err);
        var deadlines = await Dla("deadlines", "--now", "2026-01-02T00:00:00Z");
        Assert.DoesNotContain("latest change", deadlines.Out);
        Assert.Equal(1, await RowsAsync("audit"));
    }

    [Fact]
    public async Task Listings_escape_control_characters_of_a_record_written_to_the_table_directly()
    {
        Settings["DeadlineAlerts__Delivery__AllowHosts"] = "127.0.0.1";
        {
            var file = WriteFile(File([Deadline("truce", "2026-03-09T09:00", leadTimes: ["P7D"])], [Subscriber("desk", "http://127.0.0.1:9/x")]));
            Assert.Equal(0, (await Dla("import", file, "--now", "2026-01-01T00:00:00Z")).Code);
            // A record from before the character rules, or edited in Storage Explorer: ESC, BEL and a line break.
            const string hostile = "Truce \u001b[2J\u001b]0;owned\u0007\nFAKE LINE";
            await Table("deadlines").UpsertEntityAsync(new TableEntity(RecordStore.DeadlinePartition("truce"), "truce") { ["Title"] = hostile }, TableUpdateMode.Merge);
            await Table("subscribers").UpsertEntityAsync(new TableEntity(RecordStore.SubscriberPartition("desk"), "desk") { ["Name"] = hostile }, TableUpdateMode.Merge);
            await Table("audit").AddEntityAsync(new TableEntity("deadline_truce", "0000000000000000001_x")
            {
                ["At"] = "2026-01-01T00:00:00Z",
                ["Actor"] = "cli",
                ["Action"] = "updated",
                ["RecordKind"] = "deadline",
                ["RecordId"] = "truce",
                ["Summary"] = "title: 'Truce' → '" + hostile + "'",
            });
            const string shown = "Truce \\u001b[2J\\u001b]0;owned\\u0007\\u000aFAKE LINE";

            var deadlines = await Dla("deadlines", "--now", "2026-01-01T00:00:00Z");
            var subscribers = await Dla("subscribers");
            var preview = await Dla("preview", "--from", "2026-03-01T00:00:00Z", "--to", "2026-03-03T00:00:00Z");
            var audit = await Dla("audit", "--deadline", "truce");

            Assert.Equal(0, deadlines.Code);
            Assert.Contains(shown, deadlines.Out);
            Assert.Contains(shown, subscribers.Out);
            Assert.Contains("title: 'Truce' → '" + shown + "'", audit.Out);
            Assert.True(preview.Out.Contains("left: " + shown), preview.Out + preview.Err);
            foreach (var output in new[] { deadlines.Out, subscribers.Out, preview.Out, audit.Out })
            {
                Assert.DoesNotContain('\u001b', output);
                Assert.DoesNotContain('\u0007', output);
                Assert.DoesNotContain("\nFAKE LINE", output);
            }
        }
    }
}
