using System.Text.Json.Nodes;
using static DeadlineAlerts.Testing.Records;

namespace DeadlineAlerts.Cli.Tests;

/// <summary><c>dla deadline</c> and <c>dla subscriber</c>: one record shown, added and deleted, each write audited as cli.</summary>
public sealed class RecordCommandsTests : DlaTestBase
{
    [Fact]
    public async Task A_deadline_shown_as_json_is_added_under_a_new_id_then_deleted_and_the_audit_names_cli()
    {
        Settings["DeadlineAlerts__Delivery__AllowHosts"] = "127.0.0.1";
        Assert.Equal(0, (await Dla("import", WriteFile(File([Deadline("truce", "2025-08-12T00:01", leadTimes: ["P7D"])], [Subscriber("desk", "http://127.0.0.1:9/x")])), "--now", "2025-07-29T08:00:00Z")).Code);

        var shown = await Dla("deadline", "show", "truce", "--json", "--now", "2025-07-29T08:00:00Z");
        Assert.Equal(0, shown.Code);
        var record = JsonNode.Parse(shown.Out)!.AsObject();
        Assert.Equal("13 days, 20 hours left", (string?)record["standing"]);
        record["id"] = "truce-2";
        var added = await Dla("deadline", "add", "--file", Write("one.json", record.ToJsonString()), "--now", "2025-07-29T08:00:00Z");
        Assert.Equal((0, "Added deadline truce-2, due Tue 12 Aug 2025 00:01 EDT (America/New_York); 1 alert(s) scheduled.\n"), (added.Code, added.Out.ReplaceLineEndings("\n")));

        var again = await Dla("deadline", "add", "--file", Write("one.json", record.ToJsonString()));
        Assert.Equal((1, "deadline truce-2 exists; nothing was written. To change it, import it (dla import) or delete it first."), (again.Code, again.Err.Trim()));
        var summary = await Dla("deadline", "show", "truce-2", "--now", "2025-08-11T04:01:00Z");
        Assert.Contains(summary.Out.Split('\n'), l => l.StartsWith("standing") && l.Contains("1 day left"));

        Assert.Equal(2, (await Dla("deadline", "delete", "truce-2")).Code); // no --yes
        var deleted = await Dla("deadline", "delete", "truce-2", "--yes");
        Assert.Equal((0, "Deleted deadline truce-2."), (deleted.Code, deleted.Out.Trim()));
        Assert.Equal(1, (await Dla("deadline", "show", "truce-2")).Code);

        var audit = JsonNode.Parse((await Dla("audit", "--deadline", "truce-2", "--json")).Out)!.AsArray();
        Assert.Equal(["cli deleted", "cli created"], audit.Select(e => $"{e!["actor"]} {e["action"]}"));
        var preview = JsonNode.Parse((await Dla("preview", "--from", "2025-07-29T00:00:00Z", "--to", "2025-08-13T00:00:00Z", "--json")).Out)!.AsArray();
        Assert.Equal(["truce"], preview.Select(a => (string?)a!["deadlineId"])); // the deleted one's alert does not fire
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
        var added = await Dla("subscriber", "add", "--file", Write("desk.json", record.ToJsonString()));
        Assert.Equal(0, added.Code);
        Assert.Contains("Generated webhook signing secret for subscriber desk", added.Out);

        var shown = await Dla("subscriber", "show", "desk");
        Assert.Contains(shown.Out.Split('\n'), l => l.StartsWith("name") && l.Contains("Desk"));
        Assert.DoesNotContain("SECRETTOKEN", shown.Out);
        var json = JsonNode.Parse((await Dla("subscriber", "show", "desk", "--json")).Out)!;
        Assert.Equal("http://127.0.0.1:9/***", (string?)json["channels"]![0]!["url"]);

        var many = await Dla("subscriber", "add", "--file", Write("file.json", File([], [Subscriber("other", "http://127.0.0.1:9/y")])));
        Assert.Equal(1, many.Code);
        Assert.Contains("must hold one record as a JSON object", many.Err);
        var invalid = await Dla("subscriber", "add", "--file", Write("bad.json", """{"id": "bad", "name": "Bad", "timeZone": "Eastern Standard Time", "channels": []}"""));
        Assert.Equal(1, invalid.Code);
        Assert.Contains("subscriber bad: timeZone \"Eastern Standard Time\" is a Windows time zone id", invalid.Err);
        Assert.Equal(1, (await Dla("subscriber", "show", "bad")).Code);
    }
}
