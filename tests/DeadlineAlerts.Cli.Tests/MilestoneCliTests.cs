using System.Text.Json;
using DeadlineAlerts.Testing;
using static DeadlineAlerts.Testing.Records;

namespace DeadlineAlerts.Cli.Tests;

/// <summary>An operator's day with dla: extend, resolve, cancel, and what dla deadlines shows afterwards.</summary>
public sealed class MilestoneCliTests : DlaTestBase
{

    private async Task ImportAsync()
    {
        Settings["DeadlineAlerts__Delivery__AllowHosts"] = "127.0.0.1";
        var path = Path.Combine(_dir, "records.json");
        await System.IO.File.WriteAllTextAsync(path, File(
            [Deadline("truce", "2025-08-12T00:01", title: "US-China tariff truce expires"), Deadline("steel", "2025-08-01T00:00"),
             Deadline("chips", "2025-09-01T00:00")],
            [Subscriber("desk", "http://127.0.0.1:9/x")]));
        Assert.Equal(0, (await Dla("import", path, "--now", "2025-07-29T08:00:00Z")).Code);
    }

    [Fact]
    public async Task Extend_resolve_and_cancel_then_deadlines_shows_status_latest_change_and_overdue()
    {
        await ImportAsync();

        var extend = await Dla("extend", "truce", "--to", "2025-11-10T00:01", "--reason", "talks continue", "--now", "2025-08-06T12:00:00Z");
        Assert.Equal(0, extend.Code);
        Assert.Contains("extended by 90 days on Wed 6 Aug 08:00 EDT by cli (was due Tue 12 Aug 00:01 EDT): talks continue", extend.Out);
        Assert.Contains("1 notice(s) queued", extend.Out);
        Assert.Contains("nothing changed, nothing sent", (await Dla("extend", "truce", "--to", "2025-11-10T00:01", "--now", "2025-08-06T12:05:00Z")).Out);
        Assert.Equal(0, (await Dla("resolve", "chips", "--reason", "deal signed", "--now", "2025-08-06T12:00:00Z")).Code);

        var list = await Dla("deadlines", "--now", "2025-08-03T09:00:00Z");
        var lines = list.Out.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("steel", StringComparison.Ordinal) && l.Contains("overdue by 2 days, 5 hours"));
        Assert.Contains(lines, l => l.StartsWith("chips", StringComparison.Ordinal) && l.Contains("resolved"));
        Assert.Contains(lines, l => l.Contains("latest change: resolved on Wed 6 Aug 08:00 EDT by cli (was due Mon 1 Sep 00:00 EDT): deal signed"));
        Assert.Contains(lines, l => l.StartsWith("truce", StringComparison.Ordinal) && l.Contains("Mon 10 Nov 2025 00:01 EST"));

        var json = JsonDocument.Parse((await Dla("deadlines", "--json")).Out).RootElement.EnumerateArray().ToList();
        var truce = json.Single(d => d.GetProperty("id").GetString() == "truce");
        var h = Assert.Single(truce.GetProperty("history").EnumerateArray().ToList());
        Assert.Equal(("extended", "2025-08-12T00:01:00", "2025-11-10T00:01:00"),
            (h.GetProperty("change").GetString(), h.GetProperty("from").GetProperty("due").GetString(), h.GetProperty("to").GetProperty("due").GetString()));
    }

    [Fact]
    public async Task A_bad_extension_exits_1_and_names_the_field_and_the_fix()
    {
        await ImportAsync();

        var bad = await Dla("extend", "truce", "--to", "next tuesday");
        Assert.Equal(1, bad.Code);
        Assert.Contains("deadline truce: to \"next tuesday\" is not a local date-time such as 2025-08-12T00:01", bad.Err);
        Assert.Equal(1, (await Dla("cancel", "nope")).Code);
        Assert.Equal(2, (await Dla("extend", "truce")).Code);
    }
}
