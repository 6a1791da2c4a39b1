using System.Text.Json.Nodes;
using DeadlineAlerts.Testing;
using static DeadlineAlerts.Testing.Records;

namespace DeadlineAlerts.Cli.Tests;

/// <summary>
/// <c>dla deadline</c> and <c>dla subscriber</c>: one record shown, added, edited in a real editor process and
/// deleted through the same service as the API, each write audited as cli.
/// </summary>
public sealed class RecordCommandsTests : DlaTestBase
{
    private const string Now = "2025-07-29T08:00:00Z";

    [Fact]
    public async Task A_deadline_shown_as_json_is_added_under_a_new_id_then_deleted_and_the_audit_names_cli()
    {
        Settings["DeadlineAlerts__Delivery__AllowHosts"] = "127.0.0.1";
        Assert.Equal(0, (await Dla("import", WriteFile(File([Deadline("truce", "2025-08-12T00:01", leadTimes: ["P7D"])], [Subscriber("desk", "http://127.0.0.1:9/x")])), "--now", Now)).Code);

        var shown = await Dla("deadline", "show", "truce", "--json", "--now", Now);
        Assert.Equal(0, shown.Code);
        Assert.StartsWith("ETag: \"", shown.Err.Trim(), StringComparison.Ordinal); // the record alone on stdout, so > file keeps it
        var record = JsonNode.Parse(shown.Out)!.AsObject();
        Assert.Equal("2025-08-12T00:01:00", (string?)record["due"]);
        record["id"] = "truce-2";
        var added = await Dla("deadline", "add", "truce-2", "--file", Write("one.json", record.ToJsonString()), "--now", Now);
        Assert.Equal((0, "Added deadline truce-2."), (added.Code, added.Out.Trim()));

        var again = await Dla("deadline", "add", "truce-2", "--file", Write("one.json", record.ToJsonString()));
        Assert.Equal(1, again.Code);
        Assert.StartsWith("A deadline with id \"truce-2\" exists already; nothing was written. To change it: dla deadline edit truce-2", again.Err.Trim(), StringComparison.Ordinal);
        var summary = await Dla("deadline", "show", "truce-2", "--now", "2025-08-11T04:01:00Z");
        Assert.Contains(summary.Out.Split('\n'), l => l.StartsWith("standing", StringComparison.Ordinal) && l.Contains("1 day left", StringComparison.Ordinal));

        Assert.Equal(2, (await Dla("deadline", "delete", "truce-2")).Code); // no --yes
        var stale = await Dla("deadline", "delete", "truce-2", "--yes", "--if-match", "W/\"datetime'2000-01-01T00%3A00%3A00.0000000Z'\"");
        Assert.Equal(1, stale.Code);
        Assert.Contains("was changed since it was read; nothing was written.", stale.Err, StringComparison.Ordinal);
        var deleted = await Dla("deadline", "delete", "truce-2", "--yes");
        Assert.Equal((0, "Deleted deadline truce-2; the audit log keeps its last state (dla audit)."), (deleted.Code, deleted.Out.Trim()));
        Assert.Equal(1, (await Dla("deadline", "show", "truce-2")).Code);

        var audit = JsonNode.Parse((await Dla("audit", "--deadline", "truce-2", "--json")).Out)!.AsArray();
        Assert.Equal(["cli deleted", "cli created"], audit.Select(e => $"{e!["actor"]} {e["action"]}"));
        var preview = JsonNode.Parse((await Dla("preview", "--from", "2025-07-29T00:00:00Z", "--to", "2025-08-13T00:00:00Z", "--json")).Out)!.AsArray();
        Assert.Equal(["truce"], preview.Select(a => (string?)a!["deadlineId"])); // the deleted one's alert does not fire
    }

    [Fact]
    public async Task Deadline_edit_round_trips_through_the_editor_and_a_change_made_meanwhile_is_refused_with_the_record_shown()
    {
        Settings["DeadlineAlerts__Delivery__AllowHosts"] = "127.0.0.1";
        Assert.Equal(0, (await Dla("import", WriteFile(File([Deadline("truce", "2025-08-12T00:01", leadTimes: ["P7D"])], [Subscriber("desk", "http://127.0.0.1:9/x")])), "--now", Now)).Code);

        // A real editor process: sed changes the title in the file dla opened.
        Settings["EDITOR"] = Script("retitle.sh", "sed -i 's/\"title\": \"[^\"]*\"/\"title\": \"Truce expires (edited)\"/' \"$1\"");
        var edited = await Dla("deadline", "edit", "truce");
        Assert.Equal(0, edited.Code);
        var after = JsonNode.Parse((await Dla("deadline", "show", "truce", "--json")).Out)!;
        Assert.Equal(("Truce expires (edited)", "2025-08-12T00:01:00"), ((string?)after["title"], (string?)after["due"]));
        var audit = JsonNode.Parse((await Dla("audit", "--deadline", "truce", "--json")).Out)!.AsArray();
        Assert.Equal("cli updated", $"{audit[0]!["actor"]} {audit[0]!["action"]}");

        // An editor during which someone else changes the record (an import, as another operator would): refused.
        var other = WriteFile(File([Deadline("truce", "2025-08-12T00:01", title: "Changed by someone else", leadTimes: ["P7D"])], []));
        Settings["EDITOR"] = Script("race.sh",
            $"dotnet '{typeof(Cli.Dla).Assembly.Location}' import '{other}' --storage '{TestInstallation.Storage}' --table-prefix '{_prefix}' > /dev/null\n" +
            "sed -i 's/\"title\": \"[^\"]*\"/\"title\": \"Mine\"/' \"$1\"");
        var refused = await Dla("deadline", "edit", "truce");
        Assert.Equal(1, refused.Code);
        Assert.Contains("deadline truce was changed by someone else since this edit began; nothing was written. As stored now:", refused.Err, StringComparison.Ordinal);
        Assert.Contains("\"title\": \"Changed by someone else\"", refused.Err, StringComparison.Ordinal); // the current record, shown
        Assert.Equal("Changed by someone else", (string?)JsonNode.Parse((await Dla("deadline", "show", "truce", "--json")).Out)!["title"]);
    }

    [Fact]
    public async Task A_subscriber_is_added_from_a_file_with_its_secret_shown_once_and_shown_redacted()
    {
        Settings["DeadlineAlerts__Delivery__AllowHosts"] = "127.0.0.1";
        var record = new JsonObject
        {
            ["id"] = "desk",
            ["name"] = "Desk",
            ["categories"] = new JsonArray("tariff"),
            ["channels"] = new JsonArray(new JsonObject { ["type"] = "webhook", ["url"] = "http://127.0.0.1:9/hook/SECRETTOKEN" }),
        };
        var added = await Dla("subscriber", "add", "desk", "--file", Write("desk.json", record.ToJsonString()));
        Assert.Equal(0, added.Code);
        Assert.Contains("Generated webhook signing secret for subscriber desk", added.Out, StringComparison.Ordinal);

        var shown = await Dla("subscriber", "show", "desk");
        Assert.Contains(shown.Out.Split('\n'), l => l.StartsWith("name", StringComparison.Ordinal) && l.Contains("Desk", StringComparison.Ordinal));
        Assert.DoesNotContain("SECRETTOKEN", shown.Out, StringComparison.Ordinal);
        var json = JsonNode.Parse((await Dla("subscriber", "show", "desk", "--json")).Out)!;
        Assert.DoesNotContain("SECRETTOKEN", json.ToJsonString(), StringComparison.Ordinal);

        var invalid = await Dla("subscriber", "add", "bad", "--file", Write("bad.json", """{"id": "bad", "name": "Bad", "timeZone": "Eastern Standard Time", "channels": []}"""));
        Assert.Equal(1, invalid.Code);
        Assert.Contains("timeZone \"Eastern Standard Time\" is a Windows time zone id", invalid.Err, StringComparison.Ordinal);
        Assert.Equal(1, (await Dla("subscriber", "show", "bad")).Code);
    }

    private string Script(string name, string body)
    {
        var path = Write(name, "#!/bin/sh\nset -e\n" + body + "\n");
        if (!OperatingSystem.IsWindows()) System.IO.File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
