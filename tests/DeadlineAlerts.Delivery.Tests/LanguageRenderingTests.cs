using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Rendering;
using DeadlineAlerts.Core.Schedule;
using DeadlineAlerts.Delivery.Email;
using DeadlineAlerts.Delivery.Slack;
using DeadlineAlerts.Delivery.Teams;
using DeadlineAlerts.Delivery.Tests.Support;
using DeadlineAlerts.Delivery.Webhook;
using NodaTime;

namespace DeadlineAlerts.Delivery.Tests;

/// <summary>
/// Every message kind on every channel in every shipped language: nothing left as a key or a placeholder, and the
/// words are the language's. The exact texts a Beijing and a Stockholm desk read for the tariff truce's P7D alert.
/// </summary>
public sealed partial class LanguageRenderingTests
{
    private static readonly DateTimeZone Shanghai = DateTimeZoneProviders.Tzdb["Asia/Shanghai"];
    private static readonly DateTimeZone Stockholm = DateTimeZoneProviders.Tzdb["Europe/Stockholm"];

    public static TheoryData<string> Languages => [.. MessageLanguage.Shipped];

    private static Subscriber Desk(string? locale, DateTimeZone zone, string name = "Beijing desk") => new()
    {
        Id = "desk",
        Name = name,
        TimeZone = zone,
        Locale = locale is null ? null : CultureInfo.GetCultureInfo(locale),
        Categories = ["tariff"],
        Digest = DigestChoice.Weekly(IsoDayOfWeek.Monday, new LocalTime(8, 0)),
    };

    private static Deadline Truce(string id = "truce", string title = "US-China tariff truce expires", string due = "2025-08-12T00:01") => new()
    {
        Id = id,
        Title = title,
        Category = "tariff",
        Source = "https://example.org/notice?id=1",
        Notes = "Check the Federal Register.",
        Due = DueTime.Parse(due, Alerts.NewYork).Value!,
        LeadTimes = [LeadTime.Parse("P7D"), LeadTime.Parse("PT1H30M")],
    };

    /// <summary>The P7D alert as delivery composes it (on time, or late by two hours).</summary>
    private static AlertMessage Alert(Subscriber s, bool late = false)
    {
        var deadline = Truce();
        var planned = AlertPlanner.Plan(deadline, s).Single(p => p.LeadTime == LeadTime.Parse("P7D"));
        return new AlertMessage(planned, deadline, s, planned.FireAt + (late ? Duration.FromHours(2) : Duration.Zero), late) with { UnsubscribeUrl = Alerts.Unsubscribe };
    }

    private static NoticeMessage Notice(Subscriber s, string change)
    {
        var deadline = Truce();
        var newDue = change switch
        {
            ChangeKind.Extended => Alerts.Extended,
            ChangeKind.MovedEarlier => Alerts.Due - Duration.FromDays(3),
            ChangeKind.ZoneRules => Alerts.Due - Duration.FromHours(1),
            _ => Alerts.Due,
        };
        return new NoticeMessage(new MessageId("nt_0123456789abcdef"), new NoticeFacts(change, Alerts.Due, newDue, "Executive order", "maria"),
            deadline, s, Alerts.Due - Duration.FromDays(2)) with
        { UnsubscribeUrl = Alerts.Unsubscribe };
    }

    /// <summary>A digest with an overdue deadline and more deadlines than Slack or Teams can show.</summary>
    private static DigestMessage Digest(Subscriber s, int many = 1)
    {
        var at = Instant.FromUtc(2025, 10, 27, 7, 0);
        var period = DigestSchedule.PeriodContaining(s.Digest!, s.TimeZone!, at);
        var deadlines = Enumerable.Range(0, many)
            .Select(i => Truce($"d{i}", $"Tariff filing {i} " + new string('x', many > 1 ? 900 : 0), $"2025-11-{1 + i % 28:D2}T09:00"))
            .Append(Truce("old", "Old reply", "2025-10-20T12:00"));
        return DigestMessage.Create(s, period, deadlines, at, late: false) with { UnsubscribeUrl = Alerts.Unsubscribe, FullListUrl = "https://alerts.example.com/api/calendar/desk.ics?token=t" };
    }

    private static IEnumerable<(string What, MessageView Message)> EveryMessage(Subscriber s)
    {
        yield return ("alert", Alert(s));
        yield return ("late alert", Alert(s, late: true));
        foreach (var change in new[] { ChangeKind.Extended, ChangeKind.MovedEarlier, ChangeKind.ZoneRules, ChangeKind.Resolved, ChangeKind.Cancelled, "renamed" })
            yield return ($"notice {change}", Notice(s, change));
        yield return ("digest", Digest(s));
        yield return ("digest too long to show whole", Digest(s, many: 40));
    }

    /// <summary>What a reader sees on each channel: the text fields of the JSON (not its field names or machine values
    /// such as <c>"type": "deadline.alert"</c>), the email's subject, plain text and HTML without its tags.</summary>
    private static IEnumerable<(string Channel, string Text)> EveryChannel(MessageView m)
    {
        var email = new EmailRenderer(new EmailOptions { From = "alerts@example.com" }).Render(m, new ChannelSpec { Type = ChannelSpec.Email, Target = "desk@example.com" });
        yield return ("slack", Read(SlackMessage.Build(m).ToJsonString()));
        yield return ("teams", Read(TeamsMessage.Build(m).ToJsonString()));
        yield return ("webhook", Read(WebhookChannel.Body(m)));
        yield return ("email subject", email.Subject);
        yield return ("email text", email.PlainText);
        yield return ("email html", System.Net.WebUtility.HtmlDecode(Regex.Replace(email.Html, "<[^>]*>", "\n")));
    }

    private static readonly HashSet<string> ReadFields = ["text", "title", "value", "countdown", "headline", "summary"];

    private static string Read(string json)
    {
        var texts = new List<string>();
        void Walk(JsonElement e, string? name)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var p in e.EnumerateObject()) Walk(p.Value, p.Name);
                    break;
                case JsonValueKind.Array:
                    foreach (var item in e.EnumerateArray()) Walk(item, name);
                    break;
                case JsonValueKind.String when name is not null && ReadFields.Contains(name):
                    texts.Add(e.GetString()!);
                    break;
            }
        }
        using var doc = JsonDocument.Parse(json);
        Walk(doc.RootElement, null);
        return string.Join("\n", texts);
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public void Every_kind_on_every_channel_renders_with_no_key_or_placeholder_left(string tag)
    {
        var s = Desk(tag, Shanghai);
        var leftovers = new List<string>();
        foreach (var (what, message) in EveryMessage(s))
        {
            Assert.Equal(tag, message.Language.Tag);
            foreach (var (channel, text) in EveryChannel(message).Append(("webhook JSON", WebhookChannel.Body(message))))
            {
                foreach (Match m in RawKey().Matches(text)) leftovers.Add($"{what} on {channel}: {m.Value}");
                foreach (Match m in Placeholder().Matches(text)) leftovers.Add($"{what} on {channel}: {m.Value}");
            }
        }
        Assert.Empty(leftovers);
    }

    /// <summary>English words that only our composed text uses: none may appear in a Chinese or Swedish message.</summary>
    private static readonly string[] EnglishWords =
        ["left", "Due", "Your time", "Lead time", "Unsubscribe", "Countdown", "Extended", "Resolved", "Cancelled", "OVERDUE", "digest", "late alert",
         "Source", "Category", "Reason", "You receive", "more deadline", "was due", "calendar feed", "Open source", "Change notice", " by ", "Weekly"];

    [Theory]
    [InlineData("zh-CN")]
    [InlineData("sv")]
    public void A_translated_message_has_no_English_words_of_ours(string tag)
    {
        Assert.NotEmpty(EnglishWordsIn(null)); // the check finds them where they are
        var found = EnglishWordsIn(tag);
        Assert.True(found.Count == 0, string.Join("\n", found));
    }

    private static List<string> EnglishWordsIn(string? tag)
    {
        var found = new List<string>();
        foreach (var (what, message) in EveryMessage(Desk(tag, Shanghai) with { Name = "Desk" }))
            foreach (var (channel, text) in EveryChannel(message))
            {
                var ours = text.Replace("US-China tariff truce expires", "").Replace("Check the Federal Register.", "").Replace("Executive order", "")
                    .Replace(Alerts.Unsubscribe, "").Replace("Old reply", "");
                ours = Regex.Replace(ours, "Tariff filing \\d+ x*", "");
                foreach (var word in EnglishWords.Where(w => ours.Contains(w, StringComparison.Ordinal)))
                    found.Add($"{what} on {channel}: \"{word}\"");
            }
        return found;
    }

    [Fact]
    public void A_Beijing_desk_reads_the_alert_in_Chinese_with_Chinese_dates()
    {
        var alert = Alert(Desk("zh-CN", Shanghai));
        Assert.Equal(
            "剩余7天：US-China tariff truce expires，8月12日 周二 00:01 EDT\n" +
            "截止时间：2025年8月12日 星期二 00:01 EDT（America/New_York）\n" +
            "您的时间：2025年8月12日 星期二 12:01 CST（Asia/Shanghai）\n" +
            "来源：https://example.org/notice?id=1",
            alert.PlainText);
        Assert.Equal("剩余7天：US-China tariff truce expires，8月12日 周二 00:01 EDT", EmailRenderer.Subject(alert));
        var slack = SlackMessage.Build(alert);
        Assert.Equal("*剩余7天*\n*截止时间：* 2025年8月12日 星期二 00:01 EDT（America/New_York）\n*您的时间：* 2025年8月12日 星期二 12:01 CST（Asia/Shanghai）\n"
                     + "*来源：* <https://example.org/notice?id=1|example.org>\nCheck the Federal Register.",
            slack["blocks"]![1]!["text"]!["text"]!.GetValue<string>());
        Assert.Equal("提醒：提前7天 · tariff", slack["blocks"]![2]!["elements"]![0]!["text"]!.GetValue<string>());
        var buttons = slack["blocks"]![3]!["elements"]!.AsArray(); // link buttons: an incoming webhook has no interactivity
        Assert.Equal([("取消订阅", Alerts.Unsubscribe)], buttons.Select(b => (b!["text"]!["text"]!.GetValue<string>(), b["url"]!.GetValue<string>())));

        using var webhook = JsonDocument.Parse(WebhookChannel.Body(alert));
        var root = webhook.RootElement;
        Assert.Equal(("deadline.alert", "P7D", "剩余7天"), (root.GetProperty("type").GetString(), root.GetProperty("leadTime").GetString(), root.GetProperty("countdown").GetString()));
        Assert.Equal("2025-08-12T12:01:00+08:00", root.GetProperty("deadline").GetProperty("dueInSubscriberZone").GetProperty("local").GetString());
        Assert.Equal("2025年8月12日 星期二 12:01 CST（Asia/Shanghai）", root.GetProperty("deadline").GetProperty("dueInSubscriberZone").GetProperty("text").GetString());
    }

    [Fact]
    public void A_Stockholm_channel_reads_the_alert_in_Swedish_with_Swedish_dates()
    {
        var alert = Alert(Desk("sv", Stockholm, "Stockholm channel"), late: true);
        Assert.Equal(
            "6 dagar, 22 timmar kvar: US-China tariff truce expires, tis 12 aug. kl. 00:01 EDT (försenad påminnelse)\n" +
            "Förfaller: tis 12 aug. 2025 kl. 00:01 EDT (America/New_York)\n" +
            "Din tid: tis 12 aug. 2025 kl. 06:01 CEST (Europe/Stockholm)\n" +
            "Källa: https://example.org/notice?id=1",
            alert.PlainText);
        var email = new EmailRenderer(new EmailOptions { From = "alerts@example.com" }).Render(alert, new ChannelSpec { Type = ChannelSpec.Email, Target = "a@example.com" });
        Assert.Contains("Påminnelse: 7 dagar före (försenad påminnelse: skickad efter planerad tid)\n", email.PlainText);
        Assert.Contains($"Du får detta eftersom du följer den här tidsfristen. Avsluta prenumerationen: {Alerts.Unsubscribe}\n", email.PlainText);
        Assert.Contains("<html lang=\"sv\">", email.Html);
    }

    [Fact]
    public void Swedish_and_Chinese_digests_count_and_name_the_weekday_in_their_language()
    {
        var sv = Digest(Desk("sv", Stockholm));
        Assert.Equal("Veckosammanfattning av tidsfrister, mån 27 okt. kl. 08:00 CET: 1 tidsfrist de kommande 60 dagarna, 1 försenad", sv.Headline);
        Assert.Equal("FÖRSENAD med 6 dagar, 15 timmar: Old reply, förföll mån 20 okt. kl. 18:00 CEST", sv.ItemLines.First());
        Assert.Contains("Du får den här sammanfattningen varje måndag kl. 08:00 (Europe/Stockholm).", EmailRenderer.PlainText(sv, null));
        var zh = Digest(Desk("zh-CN", Shanghai));
        Assert.Equal("每周截止事项摘要，10月27日 周一 08:00 CST：未来60天内有1项截止事项，1项已逾期", zh.Headline);
        Assert.Contains("此摘要于每星期一 08:00发送给您（Asia/Shanghai）。", EmailRenderer.PlainText(zh, null));
    }

    [Fact]
    public void A_locale_with_no_language_file_gets_the_English_message_exactly()
    {
        var english = Alert(Desk(null, Shanghai));
        var french = Alert(Desk("fr-FR", Shanghai));
        Assert.Same(MessageLanguage.English, french.Language);
        foreach (var ((channel, expected), (_, actual)) in EveryChannel(english).Zip(EveryChannel(french)))
            Assert.True(expected == actual, $"{channel} differs");
        Assert.StartsWith("7 days left: US-China tariff truce expires, Tue 12 Aug 00:01 EDT\nDue: Tue 12 Aug 2025 00:01 EDT (America/New_York)", french.PlainText);
    }

    [GeneratedRegex(@"\[[a-z]+(\.[a-zA-Z]+)+\]")]
    private static partial Regex RawKey();

    [GeneratedRegex(@"\{(n|time|title|due|was|shift|zone|utc|label|value|countdown|overdue|days|summary|channel|link|weekday|choice|name|lead|now|type|target|deadline|rule)\}")]
    private static partial Regex Placeholder();
}
