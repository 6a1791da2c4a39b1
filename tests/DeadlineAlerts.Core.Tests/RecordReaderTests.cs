using System.Text.Json;
using DeadlineAlerts.Core.Records;
using NodaTime;
using static DeadlineAlerts.Core.Tests.Given;

namespace DeadlineAlerts.Core.Tests;

public class RecordReaderTests
{
    private static readonly Instant Now = Utc("2026-01-01T00:00:00Z");
    private static readonly RecordReader Strict = new(EndpointPolicy.Strict);

    private static object Deadline(string id = "us-x", string title = "US tariff truce expires", string due = "2026-03-09T09:00",
        string zone = "America/New_York", string[]? leadTimes = null) =>
        new { id, title, due, timeZone = zone, category = "tariff", leadTimes = leadTimes ?? ["P7D", "P1D"] };

    private static object Webhook(string url = "https://hooks.example.com/services/T000/B000/abc") => new { type = "webhook", url };

    private static object Subscriber(string id = "desk", object[]? channels = null, string? zone = "Asia/Shanghai") =>
        new { id, name = $"Desk {id}", timeZone = zone, categories = new[] { "tariff" }, channels = channels ?? [Webhook()] };

    private static string File(object[]? deadlines = null, object[]? subscribers = null) =>
        JsonSerializer.Serialize(new { deadlines = deadlines ?? [Deadline()], subscribers = subscribers ?? [Subscriber()] });

    private static IReadOnlyList<RecordProblem> Problems(string json, RecordReader? reader = null) =>
        Assert.Throws<RecordValidationException>(() => (reader ?? Strict).ReadJson(json, Now)).Problems;

    private static RecordProblem SingleProblem(string json, RecordReader? reader = null) => Assert.Single(Problems(json, reader));

    [Fact]
    public void A_valid_file_yields_its_deadlines_and_subscribers()
    {
        var set = Strict.ReadJson(File(), Now);

        var deadline = Assert.Single(set.Deadlines);
        Assert.Equal("us-x", deadline.Id);
        Assert.Equal(Utc("2026-03-09T13:00:00Z"), deadline.Due.Instant);
        Assert.Equal(["P7D", "P1D"], deadline.LeadTimes.Select(l => l.Text));
        Assert.Equal(Now, deadline.ArmedAt);
        var subscriber = Assert.Single(set.Subscribers);
        Assert.Equal("Asia/Shanghai", subscriber.TimeZone!.Id);
        Assert.Equal(Now, subscriber.CreatedAt);
        Assert.Empty(set.Warnings);
    }

    [Fact]
    public void The_sample_trade_deadlines_file_reads_with_the_demo_listener_allow_listed()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "../../../../../samples/trade-deadlines.json");
        var set = new RecordReader(new EndpointPolicy(["127.0.0.1:5099"])).ReadJson(System.IO.File.ReadAllText(path), Now);

        Assert.Equal(4, set.Deadlines.Count);
        Assert.Equal(3, set.Subscribers.Count);
        Assert.Equal("FREQ=MONTHLY;BYMONTHDAY=15", Assert.Single(set.Deadlines, d => d.Recurrence is not null).Recurrence!.Text);
    }

    [Fact]
    public void A_due_time_in_a_gap_is_accepted_with_a_warning_naming_the_deadline()
    {
        var set = Strict.ReadJson(File(deadlines: [Deadline(due: "2026-03-08T02:30")]), Now);

        var warning = Assert.Single(set.Warnings);
        Assert.Contains("deadline us-x", warning);
        Assert.Contains("2026-03-08T02:30", warning);
    }

    [Fact]
    public void An_unknown_zone_is_reported_naming_the_deadline_field_and_value()
    {
        var p = SingleProblem(File(deadlines: [Deadline(zone: "Mars/Olympus_Mons")]));

        Assert.Equal("deadline us-x", p.Record);
        Assert.Equal("timeZone", p.Field);
        Assert.Equal("Mars/Olympus_Mons", p.Value);
        Assert.Contains("IANA", p.Message);
        Assert.Contains("America/New_York", p.Message);
    }

    [Fact]
    public void A_Windows_zone_id_is_reported_with_the_IANA_id_to_use_instead()
    {
        var p = SingleProblem(File(deadlines: [Deadline(zone: "Eastern Standard Time")]));

        Assert.Equal("timeZone", p.Field);
        Assert.Equal("Eastern Standard Time", p.Value);
        Assert.Contains("Windows", p.Message);
        Assert.Contains("America/New_York", p.Message);
    }

    [Fact]
    public void A_zone_id_in_the_wrong_case_suggests_the_right_spelling()
    {
        var p = SingleProblem(File(deadlines: [Deadline(zone: "europe/stockholm")]));

        Assert.Contains("Europe/Stockholm", p.Message);
    }

    [Fact]
    public void A_negative_lead_time_is_reported_naming_the_deadline_and_value()
    {
        var p = SingleProblem(File(deadlines: [Deadline(leadTimes: ["P7D", "-P1D"])]));

        Assert.Equal("deadline us-x", p.Record);
        Assert.Equal("leadTimes", p.Field);
        Assert.Equal("-P1D", p.Value);
        Assert.Contains("negative", p.Message);
        Assert.Contains("P30D", p.Message);
    }

    [Theory]
    [InlineData("P1X")]
    [InlineData("1 day")]
    public void A_malformed_lead_time_is_reported_with_examples_of_what_is_accepted(string lead)
    {
        var p = SingleProblem(File(deadlines: [Deadline(leadTimes: [lead])]));

        Assert.Equal("leadTimes", p.Field);
        Assert.Equal(lead, p.Value);
        Assert.Contains("ISO 8601 duration", p.Message);
        Assert.Contains("PT1H", p.Message);
    }

    [Fact]
    public void Duplicate_deadline_ids_are_reported()
    {
        var p = SingleProblem(File(deadlines: [Deadline(), Deadline(title: "Again")]));

        Assert.Equal("deadline us-x", p.Record);
        Assert.Equal("id", p.Field);
        Assert.Contains("2 times", p.Message);
        Assert.Contains("unique", p.Message);
    }

    [Fact]
    public void Duplicate_subscriber_ids_are_reported()
    {
        var p = SingleProblem(File(subscribers: [Subscriber(), Subscriber()]));

        Assert.Equal("subscriber desk", p.Record);
        Assert.Equal("id", p.Field);
    }

    [Fact]
    public void An_empty_title_is_reported()
    {
        var p = SingleProblem(File(deadlines: [Deadline(title: "  ")]));

        Assert.Equal("deadline us-x", p.Record);
        Assert.Equal("title", p.Field);
        Assert.Contains("empty", p.Message);
    }

    [Fact]
    public void A_record_without_a_usable_id_is_named_by_its_position()
    {
        var problems = Problems(File(subscribers: [Subscriber(), Subscriber(id: "has space")]));

        var p = Assert.Single(problems);
        Assert.Equal("subscriber #2", p.Record);
        Assert.Equal("id", p.Field);
        Assert.Equal("has space", p.Value);
    }

    [Fact]
    public void An_unknown_field_is_reported_listing_the_known_fields()
    {
        var json = JsonSerializer.Serialize(new
        {
            deadlines = new object[] { new { id = "us-x", title = "T", due = "2026-03-09T09:00", timeZone = "America/New_York", category = "tariff", leadTime = "P1D" } },
        });

        var p = SingleProblem(json);

        Assert.StartsWith("deadline ", p.Record);
        Assert.Equal("leadTime", p.Field);
        Assert.Contains("leadTimes", p.Message);
    }

    [Theory]
    [InlineData("hooks.example.com/x", "absolute")]
    [InlineData("http://hooks.example.com/services/x", "https")]
    [InlineData("https://127.0.0.1/hook", "loopback")]
    [InlineData("https://10.0.0.5/hook", "private")]
    [InlineData("https://169.254.169.254/latest/meta-data", "metadata")]
    [InlineData("https://[::1]/hook", "loopback")]
    [InlineData("https://localhost/hook", "localhost")]
    [InlineData("https://[::ffff:127.0.0.1]/hook", "loopback")]
    [InlineData("https://[fd00::1]/hook", "private")]
    [InlineData("https://100.64.0.1/hook", "private")]
    [InlineData("https://0.0.0.0/hook", "loopback")]
    [InlineData("https://2130706433/hook", "loopback")]   // 127.0.0.1 written as one decimal number
    [InlineData("https://0x7f000001/hook", "loopback")]   // 127.0.0.1 written in hex
    [InlineData("https://127.1/hook", "loopback")]        // 127.0.0.1 shorthand
    public void A_webhook_url_that_is_not_a_public_https_address_is_refused(string url, string expected)
    {
        var p = SingleProblem(File(subscribers: [Subscriber(channels: [Webhook(url)])]));

        Assert.Equal("subscriber desk", p.Record);
        Assert.Equal("channels[0].url", p.Field);
        Assert.Contains(expected, p.Message);
    }

    [Theory]
    [InlineData("127.0.0.1", "https://127.0.0.1/hook")]
    [InlineData("10.0.0.5:8443", "https://10.0.0.5:8443/hook")]
    [InlineData("127.0.0.1:5099", "http://127.0.0.1:5099/hook")]
    public void An_allow_listed_host_may_be_private_or_plain_http(string allowed, string url)
    {
        var set = new RecordReader(new EndpointPolicy([allowed])).ReadJson(File(subscribers: [Subscriber(channels: [Webhook(url)])]), Now);

        Assert.Equal(url, Assert.Single(Assert.Single(set.Subscribers).Channels).Target);
    }

    [Fact]
    public void Allow_listing_a_host_and_port_does_not_allow_other_ports()
    {
        var p = SingleProblem(File(subscribers: [Subscriber(channels: [Webhook("http://127.0.0.1:6000/hook")])]),
            new RecordReader(new EndpointPolicy(["127.0.0.1:5099"])));

        Assert.Equal("channels[0].url", p.Field);
    }

    [Fact]
    public void A_bad_email_address_is_reported()
    {
        var p = SingleProblem(File(subscribers: [Subscriber(channels: [new { type = "email", address = "desk at example" }])]));

        Assert.Equal("channels[0].address", p.Field);
        Assert.Equal("desk at example", p.Value);
        Assert.Contains("desk@example.com", p.Message);
    }

    [Fact]
    public void A_good_email_address_is_accepted()
    {
        var set = Strict.ReadJson(File(subscribers: [Subscriber(channels: [new { type = "email", address = "desk@example.com" }])]), Now);

        Assert.Equal("desk@example.com", Assert.Single(Assert.Single(set.Subscribers).Channels).Target);
    }

    [Fact]
    public void An_unknown_channel_type_is_reported_listing_the_known_types()
    {
        var p = SingleProblem(File(subscribers: [Subscriber(channels: [new { type = "pager", url = "https://example.com/x" }])]));

        Assert.Equal("channels[0].type", p.Field);
        Assert.Equal("pager", p.Value);
        Assert.Contains("webhook, slack, teams, email", p.Message);
    }

    [Fact]
    public void Every_problem_in_a_file_is_reported_at_once()
    {
        var json = File(
            deadlines: [Deadline(zone: "Eastern Standard Time"), Deadline(id: "eu-y", title: "", leadTimes: ["P1X"])],
            subscribers: [Subscriber(), Subscriber(id: "ops", channels: [new { type = "email", address = "nope" }])]);

        var problems = Problems(json);

        Assert.Equal(4, problems.Count);
        Assert.Contains(problems, p => p.Record == "deadline us-x" && p.Field == "timeZone");
        Assert.Contains(problems, p => p.Record == "deadline eu-y" && p.Field == "title");
        Assert.Contains(problems, p => p.Record == "deadline eu-y" && p.Field == "leadTimes");
        Assert.Contains(problems, p => p.Record == "subscriber ops" && p.Field == "channels[0].address");
    }

    [Theory]
    [InlineData("http://hooks.example.com/services/T000/B000/SECRETTOKEN123")]     // plain http to a public host
    [InlineData("https://127.0.0.1/services/T000/B000/SECRETTOKEN123")]            // private address
    [InlineData("http://hooks.example.com/SECRETTOKEN123")]                        // single path segment
    [InlineData("http://hooks.example.com/hook?token=SECRETTOKEN123")]             // query string
    [InlineData("hooks.example.com/services/T000/B000/SECRETTOKEN123")]            // not absolute
    [InlineData("ftp://user:SECRETTOKEN123@hooks.example.com/x")]                  // wrong scheme, secret in user info
    public void A_secret_in_a_refused_webhook_url_never_appears_in_the_error(string url)
    {
        var e = Assert.Throws<RecordValidationException>(() =>
            Strict.ReadJson(File(subscribers: [Subscriber(channels: [Webhook(url)])]), Now));

        Assert.DoesNotContain("SECRETTOKEN123", e.Message);
        Assert.All(e.Problems, p => Assert.DoesNotContain("SECRETTOKEN123", p.ToString()));
    }

    [Fact]
    public void A_channel_listed_twice_is_reported_without_its_secret()
    {
        var url = "https://hooks.example.com/services/T000/B000/SECRETTOKEN123";
        var e = Assert.Throws<RecordValidationException>(() =>
            Strict.ReadJson(File(subscribers: [Subscriber(channels: [Webhook(url), Webhook(url)])]), Now));

        var p = Assert.Single(e.Problems);
        Assert.Equal("channels", p.Field);
        Assert.DoesNotContain("SECRETTOKEN123", e.Message);
    }

    [Fact]
    public void Reimporting_a_redacted_export_says_it_was_redacted_and_how_to_export_with_secrets()
    {
        var p = SingleProblem(File(subscribers:
            [Subscriber(channels: [new { type = "webhook", id = "webhook-0123456789", url = "https://hooks.example.com/***" }])]));

        Assert.Equal("channels[0].id", p.Field);
        Assert.Contains("redacted url from an export", p.Message);
        Assert.Contains("dla export --out FILE", p.Message);
        Assert.DoesNotContain("is not a webhook channel", p.ToString());
    }

    [Fact]
    public void A_bad_webhook_secret_is_reported_without_showing_it()
    {
        var e = Assert.Throws<RecordValidationException>(() => Strict.ReadJson(File(subscribers:
            [Subscriber(channels: [new { type = "webhook", url = "https://hooks.example.com/x", secret = "hunter2-SECRETTOKEN123" }])]), Now));

        Assert.Equal("channels[0].secret", Assert.Single(e.Problems).Field);
        Assert.DoesNotContain("SECRETTOKEN123", e.Message);
    }

    [Fact]
    public void A_webhook_without_a_secret_gets_a_generated_whsec_secret_reported_once()
    {
        var set = Strict.ReadJson(File(), Now);

        var channel = Assert.Single(Assert.Single(set.Subscribers).Channels);
        var generated = Assert.Single(set.GeneratedSecrets);
        Assert.Equal("desk", generated.SubscriberId);
        Assert.Equal(channel.Id, generated.ChannelId);
        Assert.StartsWith("whsec_", generated.Secret);
        Assert.Equal(generated.Secret, channel.Secret);
        Assert.True(WebhookSecret.IsValid(generated.Secret));
    }

    [Fact]
    public void A_webhook_with_its_own_secret_keeps_it_and_nothing_is_generated()
    {
        var secret = "whsec_" + Convert.ToBase64String(new byte[32]);
        var set = Strict.ReadJson(File(subscribers: [Subscriber(channels: [new { type = "webhook", url = "https://hooks.example.com/x", secret }])]), Now);

        Assert.Empty(set.GeneratedSecrets);
        Assert.Equal(secret, Assert.Single(Assert.Single(set.Subscribers).Channels).Secret);
    }

    [Fact]
    public void A_subscriber_following_nothing_is_reported()
    {
        var json = JsonSerializer.Serialize(new { subscribers = new object[] { new { id = "desk", name = "Desk", channels = new[] { Webhook() } } } });

        Assert.Equal("categories", SingleProblem(json).Field);
    }

    [Fact]
    public void A_file_that_is_not_JSON_is_reported_as_one_problem()
    {
        var p = SingleProblem("{ \"deadlines\": [ ");

        Assert.Equal("file", p.Record);
    }

    [Fact]
    public void An_unknown_section_is_reported()
    {
        var p = SingleProblem("{ \"deadlines\": [], \"subscribres\": [] }");

        Assert.Equal("subscribres", p.Field);
    }

    [Fact]
    public void An_unknown_field_is_reported_under_the_records_id_like_its_other_problems()
    {
        var json = JsonSerializer.Serialize(new
        {
            deadlines = new object[] { new { id = "us-x", title = "", due = "2026-03-09T09:00", timeZone = "America/New_York", leadTime = "P1D" } },
        });

        var problems = Problems(json);

        Assert.Equal(2, problems.Count);
        Assert.All(problems, p => Assert.Equal("deadline us-x", p.Record));
    }

    [Fact]
    public void A_misspelled_field_in_a_channel_is_reported_rather_than_ignored()
    {
        // "secert" is a typo for "secret": silently ignoring it would generate a new secret the receiver cannot verify
        var secret = "whsec_" + Convert.ToBase64String(new byte[32]);
        var json = File(subscribers: [Subscriber(channels: [new { type = "webhook", url = "https://hooks.example.com/x", secert = secret }])]);

        var p = SingleProblem(json);

        Assert.Equal("subscriber desk", p.Record);
        Assert.Contains("secert", p.Field);
    }

    [Fact]
    public void A_duplicate_id_is_reported_even_when_one_of_the_duplicates_has_another_problem()
    {
        var problems = Problems(File(deadlines: [Deadline(), Deadline(zone: "Mars/Olympus_Mons")]));

        Assert.Contains(problems, p => p.Field == "timeZone");
        Assert.Contains(problems, p => p.Field == "id" && p.Message.Contains("unique"));
    }
}
