using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using DeadlineAlerts.Testing;
using static DeadlineAlerts.Testing.Records;

namespace DeadlineAlerts.Cli.Tests;

/// <summary>
/// The command line as System.CommandLine parses it from each command's one declaration: typos get a suggestion,
/// global options go anywhere, usage errors exit 2, and no error repeats a word that may be a secret. Listings are
/// tables that stay aligned; --json is the API's shape of the same record.
/// </summary>
public sealed class CommandLineTests : DlaTestBase
{
    private static string[] Lines(string text) => text.Trim().ReplaceLineEndings("\n").Split('\n');

    [Fact]
    public async Task A_typo_gets_the_option_or_command_it_most_likely_meant()
    {
        var version = await Dla("--verison");
        Assert.Equal(2, version.Code);
        Assert.Equal(["Unknown option '--verison'. Did you mean '--version'?"], Lines(version.Err));

        var json = await Dla("deadlines", "--jsno");
        Assert.Equal(2, json.Code);
        Assert.Equal(["Unknown option '--jsno'. Did you mean '--json'?"], Lines(json.Err));

        var command = await Dla("previwe");
        Assert.Equal(2, command.Code);
        Assert.Equal(["Unknown command 'previwe'. Did you mean 'preview'?"], Lines(command.Err));

        var elsewhere = await Dla("deadlines", "--once");
        Assert.Equal(2, elsewhere.Code);
        Assert.Equal(["Unknown option '--once' for dla deadlines: it is an option of dla run. See dla deadlines --help."], Lines(elsewhere.Err));

        var unknown = await Dla("frobnicate");
        Assert.Equal(2, unknown.Code);
        Assert.Equal(["Unknown command 'frobnicate'. Run dla --help."], Lines(unknown.Err));
        Assert.All([version, json, command, elsewhere, unknown], r => Assert.Equal("", r.Out));
    }

    [Fact]
    public async Task No_usage_error_repeats_a_connection_string_or_a_key()
    {
        const string secret = "DefaultEndpointsProtocol=https;AccountName=prod;AccountKey=SECRETKEY0123==";
        var results = new[]
        {
            await Dla(secret),                                       // pasted where the command goes
            await Dla("deadlines", "--bogus", secret),               // an unknown option, then its value
            await Dla("deadlines", "--bogus=" + secret),
            await Dla("deadlines", secret),                          // a stray argument
            await Dla("preview", "--from", secret, "--to", "2025-08-01T00:00:00Z"),
            await Dla("serve", "--bind", secret),
            await Dla("export", "--format", secret),
        };
        Assert.All(results, r =>
        {
            Assert.Equal(2, r.Code);
            Assert.DoesNotContain("SECRETKEY", r.Out + r.Err);
            Assert.DoesNotContain("AccountKey", r.Out + r.Err);
            Assert.NotEqual("", r.Err.Trim());
        });
        Assert.Equal("--from is not an ISO instant; give one such as 2025-07-29T08:00:00Z", Lines(results[4].Err).Single());
    }

    [Fact]
    public async Task Global_options_go_before_or_after_the_command_and_usage_errors_exit_2()
    {
        var file = WriteFile(File([Deadline("truce", "2025-08-12T00:01")], []));
        var imported = await Dla("--now", "2025-07-29T08:00:00Z", "import", file);
        Assert.True(imported.Code == 0, imported.Err);
        var list = await Dla("deadlines", "--now", "2025-08-03T09:00:00Z");
        Assert.Contains("8 days, 19 hours left", list.Out);
        var before = await Dla("--now", "2025-08-03T09:00:00Z", "deadlines");
        Assert.Equal(list.Out, before.Out);

        var badNow = await Dla("deadlines", "--now", "tomorrow");
        Assert.Equal((2, "--now \"tomorrow\" is not an ISO instant; give one such as 2025-07-29T08:00:00Z"), (badNow.Code, badNow.Err.Trim()));
        Assert.Equal(2, (await Dla("preview", "--from", "2025-08-02T00:00:00Z", "--to", "2025-08-01T00:00:00Z")).Code);
        Assert.Equal(2, (await Dla("reset")).Code);
        Assert.Equal(2, (await Dla("resend")).Code);
        Assert.Equal(2, (await Dla("alerts", "--status", "lost")).Code);
        var none = await Dla();
        Assert.Equal(2, none.Code);
        Assert.Contains("deadlines", none.Out); // what there is to do
    }

    [Fact]
    public async Task Help_comes_from_the_same_declaration_and_exits_0()
    {
        var root = await Dla("--help");
        Assert.Equal(0, root.Code);
        foreach (var command in new[] { "import", "export", "deadlines", "extend", "resolve", "cancel", "subscribers", "preview", "run", "alerts", "serve", "audit", "listen", "test", "resend", "clear", "calendar", "replan", "reset", "deadline", "subscriber" })
            Assert.Contains("  " + command + " ", root.Out);
        Assert.Contains("--table-prefix", root.Out);
        var extend = await Dla("extend", "-h");
        Assert.Equal(0, extend.Code);
        Assert.Contains("--to <LOCAL>", extend.Out);
        Assert.Contains("--storage <CONNECTION>", extend.Out); // the global options on every command's help
        Assert.Contains("--reason <TEXT>", extend.Out);
    }

    [Fact]
    public async Task A_long_title_wraps_inside_its_column_and_every_column_stays_aligned_at_80_characters()
    {
        var title = "Expiry of the reciprocal tariff suspension between the United States and the People's Republic of China, after the Stockholm round";
        var file = WriteFile(File([Deadline("truce", "2025-08-12T00:01", title: title), Deadline("steel", "2025-08-01T00:00", title: "Steel quota")], []));
        Assert.Equal(0, (await Dla("import", file, "--now", "2025-07-29T08:00:00Z")).Code);
        Settings["COLUMNS"] = "80";

        var lines = Lines((await Dla("deadlines", "--now", "2025-07-30T09:00:00Z")).Out);
        var shown = string.Join("\n", lines);

        Assert.All(lines, l => Assert.True(l.TrimEnd().Length <= 80, $"wider than 80:\n{shown}"));
        Assert.StartsWith("ID", lines[0]);
        var due = lines[0].IndexOf("DUE", StringComparison.Ordinal);
        var titleAt = lines[0].IndexOf("TITLE", StringComparison.Ordinal);
        var steel = Array.FindIndex(lines, l => l.StartsWith("steel", StringComparison.Ordinal));
        var truce = Array.FindIndex(lines, l => l.StartsWith("truce", StringComparison.Ordinal));
        // A row and its continuation lines (nothing in the ID and STANDING columns) hold each cell's text, in its column.
        List<string> Row(int at) => [.. lines.Skip(at).TakeWhile((l, i) => i == 0 || l[..due].Trim() == "")];
        string Cell(List<string> row, int from, int to) =>
            string.Join(" ", row.Select(l => l.Length <= from ? "" : l[from..Math.Min(to, l.Length)].Trim()).Where(t => t != ""));
        Assert.Equal("Fri 1 Aug 2025 00:00 EDT (America/New_York)", Cell(Row(steel), due, titleAt));
        Assert.Equal("Steel quota", Cell(Row(steel), titleAt, 80));
        Assert.Equal("Tue 12 Aug 2025 00:01 EDT (America/New_York)", Cell(Row(truce), due, titleAt));
        Assert.Equal(title, Cell(Row(truce), titleAt, 80));
        Assert.True(Row(truce).Count > 3, "the long title did not wrap:\n" + shown);
        Assert.Equal("12 days, 19 hours left", Cell(Row(truce), lines[0].IndexOf("STANDING", StringComparison.Ordinal), due));
    }

    [Fact]
    public async Task Json_listings_are_the_records_as_the_API_answers_them()
    {
        const string key = "alice-key-0123456789";
        Settings["DeadlineAlerts__OperatorKey"] = "alice=" + key;
        Settings["DeadlineAlerts__Delivery__AllowHosts"] = "127.0.0.1";
        var file = WriteFile(File([Deadline("truce", "2025-08-12T00:01", leadTimes: ["P7D"])],
            [new { id = "desk", name = "Desk", timeZone = "Europe/Stockholm", categories = new[] { "tariff" }, digest = new { every = "day", at = "08:00" },
                   channels = new object[] { new { type = "webhook", url = "http://127.0.0.1:9/hook/SECRETTOKEN" }, new { type = "email", address = "desk@example.com" } } }]));
        var imported = await Dla("import", file, "--now", "2025-07-29T08:00:00Z");
        Assert.True(imported.Code == 0, imported.Err);
        Assert.Equal(0, (await Dla("extend", "truce", "--to", "2025-09-12T00:01", "--now", "2025-07-30T08:00:00Z")).Code);
        const string now = "2025-08-01T12:00:00Z";
        var deadlines = JsonNode.Parse((await Dla("deadlines", "--json", "--now", now)).Out)!;
        var subscribers = JsonNode.Parse((await Dla("subscribers", "--json")).Out)!;

        var stdout = new StringWriter();
        using var stop = new CancellationTokenSource();
        var serve = RunAsync(["serve", "--port", "0", "--no-run", "--now", now], stdout, new StringWriter(), stop.Token);
        string? url = null;
        for (var i = 0; i < 300 && url is null && !serve.IsCompleted; i++)
        {
            await Task.Delay(50);
            url = stdout.ToString().Split('\n').FirstOrDefault(l => l.StartsWith("Serving the API on ", StringComparison.Ordinal))?.Split(' ')[4];
        }
        Assert.NotNull(url);
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var apiDeadlines = JsonNode.Parse(await http.GetStringAsync(url + "deadlines"))!["deadlines"]!;
        var apiSubscribers = JsonNode.Parse(await http.GetStringAsync(url + "subscribers"))!["subscribers"]!;
        stop.Cancel();
        Assert.Equal(0, await serve);

        Assert.True(JsonNode.DeepEquals(apiDeadlines, deadlines), $"dla: {deadlines}\napi: {apiDeadlines}");
        Assert.True(JsonNode.DeepEquals(apiSubscribers, subscribers), $"dla: {subscribers}\napi: {apiSubscribers}");
        var truce = deadlines[0]!;
        Assert.Equal("extended", (string?)truce["history"]![0]!["change"]);
        Assert.NotNull(truce["standing"]);
        Assert.Equal("day", (string?)subscribers[0]!["digest"]!["every"]);
        Assert.Equal("desk@example.com", (string?)subscribers[0]!["channels"]![1]!["address"]);
        Assert.DoesNotContain("SECRETTOKEN", subscribers.ToJsonString());
    }
}
