using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Rendering;
using DeadlineAlerts.Core.Schedule;
using DeadlineAlerts.Delivery.Slack;
using DeadlineAlerts.Delivery.Teams;
using NodaTime;

namespace DeadlineAlerts.Delivery.Tests;

/// <summary>
/// A digest of many deadlines reaches Slack and Teams within their documented limits, and every deadline is either
/// in the message or counted, with a link to the full list.
/// </summary>
public sealed partial class MessageFittingTests
{
    private const string Feed = "https://alerts.example.com/api/calendar/desk.ics?token=abc";

    private static DigestMessage Digest(int count)
    {
        var zone = DateTimeZoneProviders.Tzdb["Europe/Stockholm"];
        var subscriber = new Subscriber
        {
            Id = "desk",
            Name = "Stockholm desk",
            TimeZone = zone,
            Categories = ["tariff"],
            Digest = DigestChoice.Weekly(IsoDayOfWeek.Monday, new LocalTime(8, 0)),
        };
        var ny = DateTimeZoneProviders.Tzdb["America/New_York"];
        var deadlines = Enumerable.Range(0, count).Select(k => new Deadline
        {
            Id = $"d{k:000}",
            Title = $"Deadline {k:000}: Section 301 tariff review of semiconductor and critical mineral imports, comment period",
            Category = "tariff",
            Due = DueTime.Parse($"2025-11-{1 + k % 28:00}T{k % 24:00}:{k % 60:00}", ny).Value!,
        }).ToList();
        var period = DigestSchedule.PeriodContaining(subscriber.Digest, zone, Instant.FromUtc(2025, 10, 27, 7, 0));
        return DigestMessage.Create(subscriber, period, deadlines, Instant.FromUtc(2025, 10, 27, 7, 0), late: false) with { FullListUrl = Feed };
    }

    [GeneratedRegex(@"Deadline (\d{3}):")]
    private static partial Regex Shown();

    [GeneratedRegex(@"and (\d+) more deadlines? not shown")]
    private static partial Regex Counted();

    private static (HashSet<string> Shown, int Counted) Tally(string text) =>
        (Shown().Matches(text).Select(m => m.Groups[1].Value).ToHashSet(),
         Counted().Match(text) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0);

    [Theory]
    [InlineData(70)]
    [InlineData(200)]
    public void A_Slack_digest_keeps_to_the_block_limits_and_counts_what_it_leaves_out(int count)
    {
        var message = SlackMessage.Build(Digest(count));
        var blocks = message["blocks"]!.AsArray();

        Assert.True(blocks.Count <= SlackMessage.MaxBlocks, $"{blocks.Count} blocks");
        var texts = blocks.Select(b => b!["type"]!.GetValue<string>() == "context"
            ? (string)b["elements"]![0]!["text"]!
            : (string)b!["text"]!["text"]!).ToList();
        Assert.All(blocks.Where(b => (string?)b!["type"] == "section"), b => Assert.True(((string)b!["text"]!["text"]!).Length <= SlackMessage.MaxSection));
        Assert.True(texts.Sum(t => t.Length) <= SlackMessage.MaxBlocksText, $"{texts.Sum(t => t.Length)} characters in blocks");
        Assert.True(((string)message["text"]!).Length <= SlackMessage.MaxSection);
        var all = string.Join("\n", texts);
        // No line is cut: every line shown ends with its due time.
        Assert.All(texts.Where(t => t.Contains("Deadline ")).SelectMany(t => t.Split('\n')), l => Assert.Matches(@"(CET|CEST)$", l));
        var (shown, counted) = Tally(all);
        Assert.Equal(count, shown.Count + counted);
        Assert.True(shown.Count >= 20, $"only {shown.Count} shown");
        if (count == 200) Assert.True(counted > 0, "200 deadlines cannot all fit one Slack message");
        if (counted > 0) Assert.Contains($"<{Feed.Replace("&", "&amp;")}|calendar feed>", all);
    }

    [Fact]
    public void A_short_Slack_digest_shows_every_deadline_and_no_count()
    {
        var all = string.Join("\n", SlackMessage.Build(Digest(5))["blocks"]!.AsArray().Select(b => b!.ToJsonString()));

        var (shown, counted) = Tally(all);
        Assert.Equal(5, shown.Count);
        Assert.Equal(0, counted);
    }

    [Theory]
    [InlineData(70)]
    [InlineData(200)]
    public void A_Teams_digest_stays_under_28_KB_and_counts_what_it_leaves_out(int count)
    {
        var message = TeamsMessage.Build(Digest(count));
        var json = message.ToJsonString();

        Assert.True(Encoding.UTF8.GetByteCount(json) <= 28 * 1024, $"{Encoding.UTF8.GetByteCount(json)} bytes");
        var (shown, counted) = Tally(json);
        Assert.Equal(count, shown.Count + counted);
        if (count == 200) Assert.True(counted > 0, "200 deadlines cannot all fit one Teams message");
        if (counted > 0)
        {
            var actions = message["attachments"]![0]!["content"]!["actions"]!.AsArray();
            Assert.Contains(actions, a => (string?)a!["url"] == Feed && (string?)a["title"] == "Full list (calendar feed)");
        }
    }

    [Fact]
    public void A_Teams_alert_with_very_long_notes_stays_under_28_KB_with_its_facts()
    {
        var ny = DateTimeZoneProviders.Tzdb["America/New_York"];
        var deadline = new Deadline
        {
            Id = "truce",
            Title = "US-China tariff truce expires",
            Category = "tariff",
            Notes = string.Concat(Enumerable.Repeat("Negotiators met in Stockholm on 28-29 July 2025. ", 2000)),
            Due = DueTime.Parse("2025-08-12T00:01", ny).Value!,
        };
        var subscriber = new Subscriber { Id = "desk", Name = "Desk", TimeZone = DateTimeZoneProviders.Tzdb["Asia/Shanghai"], Categories = ["tariff"] };
        var alert = AlertPlanner.Plan(deadline, subscriber).First(p => p.LeadTime.Text == "P1D");
        var json = TeamsMessage.Build(new AlertMessage(alert, deadline, subscriber, alert.FireAt, late: false)).ToJsonString();

        Assert.True(Encoding.UTF8.GetByteCount(json) <= 28 * 1024, $"{Encoding.UTF8.GetByteCount(json)} bytes");
        Assert.Contains("US-China tariff truce expires", json);
        Assert.Contains("Negotiators met in Stockholm", json);
    }
}
