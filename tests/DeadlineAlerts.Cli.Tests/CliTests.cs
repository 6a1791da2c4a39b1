using System.Text.Json;
using DeadlineAlerts.Testing;
using static DeadlineAlerts.Testing.Records;

namespace DeadlineAlerts.Cli.Tests;

/// <summary>dla as an operator runs it, in-process, against Azurite.</summary>
public sealed class CliTests : DlaTestBase
{

    [Fact]
    public async Task An_unknown_option_is_reported_by_its_own_name_and_never_echoes_the_next_argument()
    {
        const string storage = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=SECRETKEY==";
        var (code, stdout, stderr) = await Dla("--bogus", "--storage", storage);
        Assert.Equal(2, code);
        // The test's own --storage follows: given twice, which the parser refuses too (naming the option, not its values).
        Assert.Equal(["Unknown option '--bogus'. See dla --help.", "Option '--storage' expects a single argument but 2 were provided."],
            stderr.Trim().ReplaceLineEndings("\n").Split('\n'));
        Assert.DoesNotContain("SECRETKEY", stdout + stderr);

        var (code2, stdout2, stderr2) = await Dla("deadlines", "--bogus", storage);
        Assert.Equal(2, code2);
        Assert.Equal(["Unknown option '--bogus'. See dla deadlines --help.",
                      "Unexpected argument (not shown: it looks like a setting or a secret). See dla deadlines --help."], stderr2.Trim().ReplaceLineEndings("\n").Split('\n'));
        Assert.DoesNotContain("SECRETKEY", stdout2 + stderr2);
    }

    [Fact]
    public async Task Import_then_preview_json_lists_the_alerts_with_their_fire_instants()
    {
        Settings["DeadlineAlerts__Delivery__AllowHosts"] = "127.0.0.1";
        var file = WriteFile(File([Deadline("truce", "2025-08-12T00:01", leadTimes: ["P7D", "PT0S"])], [Subscriber("desk", "http://127.0.0.1:9/x")]));
        var import = await Dla("import", file, "--now", "2025-07-29T08:00:00Z");
        Assert.Equal(0, import.Code);
        Assert.Contains("2 added", import.Out);

        var preview = await Dla("preview", "--from", "2025-07-29T00:00:00Z", "--to", "2025-08-13T00:00:00Z", "--json");
        Assert.Equal(0, preview.Code);
        using var doc = JsonDocument.Parse(preview.Out);
        var alerts = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal(["2025-08-05T04:01:00Z", "2025-08-12T04:01:00Z"], alerts.Select(a => a.GetProperty("fireAt").GetString()));
        Assert.All(alerts, a => Assert.StartsWith("al_", a.GetProperty("alertId").GetString()));
        Assert.Equal("desk", alerts[0].GetProperty("subscriberId").GetString());
        Assert.Equal("P7D", alerts[0].GetProperty("leadTime").GetString());
        Assert.StartsWith("7 days left: Deadline truce", alerts[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task A_bad_file_exits_1_names_record_field_and_fix_and_stores_nothing()
    {
        var file = WriteFile("""
            { "deadlines": [
                { "id": "ok-one", "title": "Fine", "due": "2025-08-12T00:01", "timeZone": "America/New_York" },
                { "id": "bad-zone", "title": "Bad", "due": "2025-08-12T00:01", "timeZone": "Eastern Standard Time", "leadTimes": ["-P1D"] } ] }
            """);
        var (code, _, err) = await Dla("import", file);
        Assert.Equal(1, code);
        Assert.Contains("deadline bad-zone: timeZone \"Eastern Standard Time\" is a Windows time zone id; use the IANA id America/New_York instead", err);
        Assert.Contains("deadline bad-zone: leadTimes \"-P1D\"", err);
        var list = await Dla("deadlines");
        Assert.Contains("No deadlines stored", list.Out);
    }

    [Fact]
    public async Task Usage_errors_exit_2_and_help_exits_0()
    {
        Assert.Equal(2, (await Dla("frobnicate")).Code);
        Assert.Equal(2, (await Dla("preview", "--from", "2025-07-29T00:00:00Z")).Code);
        Assert.Equal(2, (await Dla("deadlines", "--bogus", "1")).Code);
        var help = await Dla("run", "--help");
        Assert.Equal(0, help.Code);
        Assert.Contains("--once", help.Out);
    }

    [Fact]
    public async Task Subscribers_never_show_a_webhook_token()
    {
        Settings["DeadlineAlerts__Delivery__AllowHosts"] = "127.0.0.1";
        var file = WriteFile(File([], [Subscriber("desk", "http://127.0.0.1:9/services/T000/B000/SECRETTOKEN123")]));
        Assert.Equal(0, (await Dla("import", file)).Code);
        var (code, output, _) = await Dla("subscribers", "--json");
        Assert.Equal(0, code);
        Assert.DoesNotContain("SECRETTOKEN123", output);
        Assert.Contains("***", output);
    }

    [Fact]
    public async Task Calendar_prints_the_subscribers_signed_feed_url_and_refuses_an_unknown_id()
    {
        // An email channel needs no AllowHosts.
        Settings["DeadlineAlerts__UnsubscribeKey"] = Convert.ToBase64String(new byte[32]);
        Settings["DeadlineAlerts__PublicBaseUrl"] = "https://alerts.example.org/";
        {
            var desk = new { id = "desk", name = "Desk", categories = new[] { "tariff" }, channels = new[] { new { type = "email", address = "desk@example.com" } } };
            Assert.Equal(0, (await Dla("import", WriteFile(File([], [desk])))).Code);

            var (code, output, _) = await Dla("calendar", "desk");
            Assert.Equal(0, code);
            Assert.Matches("^https://alerts\\.example\\.org/api/calendar/desk\\.ics\\?token=[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$", output.Trim());

            var unknown = await Dla("calendar", "nobody");
            Assert.Equal(1, unknown.Code);
            Assert.Contains("subscriber nobody is not stored", unknown.Err);
        }
    }

    [Fact]
    public async Task The_demo_sample_with_the_pickup_transport_leaves_a_readable_email_for_beijing_desk()
    {
        // What demo.sh sets, with one send attempt so the sample's webhooks (no listener here) fail at once.
        var mail = Path.Combine(_dir, "mail");
        Settings["DeadlineAlerts__Delivery__AllowHosts"] = "127.0.0.1:5099";
        Settings["DeadlineAlerts__Email__Transport"] = "pickup";
        Settings["DeadlineAlerts__Email__PickupDirectory"] = mail;
        Settings["DeadlineAlerts__MaxAttempts"] = "1";
        {
            Assert.Equal(0, (await Dla("import", Sample, "--now", "2025-07-29T05:00:00Z")).Code);
            var run = await Dla("run", "--once", "--now", "2025-07-29T06:00:30Z");

            Assert.Equal(0, run.Code);
            Assert.Contains("delivered email   analyst@example.com", run.Out);
            var file = Assert.Single(Directory.GetFiles(mail, "*.eml"));
            var message = MimeKit.MimeMessage.Load(file);
            // The sample's Beijing desk reads Chinese ("locale": "zh-CN"); the subject arrives RFC 2047-encoded and reads back whole.
            Assert.Equal("剩余1小时：US-China talks in Stockholm, day 2 (Rosenbad)，7月29日 周二 09:00 CEST", message.Subject);
            Assert.Equal("analyst@example.com", Assert.Single(message.To.Mailboxes).Address);
            Assert.Contains("您的时间：2025年7月29日 星期二 15:00 CST（Asia/Shanghai）", message.TextBody);
            Assert.Contains("US-China talks in Stockholm, day 2 (Rosenbad)", message.HtmlBody);
        }
    }

    /// <summary>samples/trade-deadlines.json, the file demo.sh imports.</summary>
    private static string Sample
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (System.IO.File.Exists(Path.Combine(dir.FullName, "DeadlineAlerts.sln")))
                    return Path.Combine(dir.FullName, "samples", "trade-deadlines.json");
            throw new FileNotFoundException("DeadlineAlerts.sln not found above " + AppContext.BaseDirectory);
        }
    }
}
