using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Rendering;
using DeadlineAlerts.Core.Schedule;
using DeadlineAlerts.Core.Time;
using NodaTime;
using static DeadlineAlerts.Core.Tests.Given;

namespace DeadlineAlerts.Core.Tests;

/// <summary>The language files, ICU's dates and the subscriber's <c>locale</c> field.</summary>
public sealed partial class LanguageTests
{
    private static MessageLanguage L(string tag) => MessageLanguage.For(CultureInfo.GetCultureInfo(tag));

    [Fact]
    public void Icu_is_in_use_not_the_invariant_globalization_mode()
    {
        // Without ICU (InvariantGlobalization) every culture is the invariant one and Chinese dates would read "Tue".
        Assert.Equal("星期二", CultureInfo.GetCultureInfo("zh-CN").DateTimeFormat.GetDayName(DayOfWeek.Tuesday));
        Assert.Equal("tisdag", CultureInfo.GetCultureInfo("sv").DateTimeFormat.GetDayName(DayOfWeek.Tuesday));
    }

    [Fact]
    public void English_Chinese_and_Swedish_ship_and_every_file_has_every_English_key_with_the_same_placeholders()
    {
        Assert.Equal(["en", "sv", "zh-CN"], MessageLanguage.Shipped.Order(StringComparer.Ordinal));
        var english = MessageLanguage.File("en");
        foreach (var tag in MessageLanguage.Shipped)
        {
            var file = MessageLanguage.File(tag);
            Assert.True(english.Keys.Except(file.Keys).ToList() is [], $"{tag}.json lacks {string.Join(", ", english.Keys.Except(file.Keys))}");
            Assert.True(file.Keys.Except(english.Keys).ToList() is [], $"{tag}.json has keys English lacks: {string.Join(", ", file.Keys.Except(english.Keys))}");
            foreach (var (key, text) in file)
                Assert.True(Placeholders(english[key]).SetEquals(Placeholders(text)),
                    $"{tag}.json \"{key}\" has {{{string.Join("} {", Placeholders(text))}}}, English {{{string.Join("} {", Placeholders(english[key]))}}}");
        }
    }

    [Fact]
    public void Adding_a_language_is_one_file_in_the_languages_folder()
    {
        // The csproj embeds Rendering/Languages/*.json by a wildcard: what is in the folder is what ships.
        var folder = RepoPath("src/DeadlineAlerts.Core/Rendering/Languages");
        Assert.Equal(Directory.GetFiles(folder, "*.json").Select(f => Path.GetFileNameWithoutExtension(f)).Order(StringComparer.Ordinal),
            MessageLanguage.Shipped.Order(StringComparer.Ordinal));
        foreach (var f in Directory.GetFiles(folder, "*.json"))
            Assert.NotNull(Locales.Find(Path.GetFileNameWithoutExtension(f))); // each file is named by a tag ICU knows
    }

    [Fact]
    public void Countdowns_count_in_each_language_with_its_plurals()
    {
        var due = Utc("2025-08-12T04:01:00Z");
        string Left(string tag, Duration d) => Countdown.Text(due - d, due, L(tag));
        Assert.Equal("1 day, 1 hour left", Left("en", Duration.FromHours(25)));
        Assert.Equal("3 days, 4 hours left", Left("en", Duration.FromHours(76)));
        Assert.Equal("1 dag, 1 timme kvar", Left("sv", Duration.FromHours(25)));
        Assert.Equal("3 dagar, 4 timmar kvar", Left("sv", Duration.FromHours(76)));
        Assert.Equal("45 minuter kvar", Left("sv", Duration.FromMinutes(45)));
        Assert.Equal("剩余1天1小时", Left("zh-CN", Duration.FromHours(25)));
        Assert.Equal("剩余3天4小时", Left("zh-CN", Duration.FromHours(76)));
        Assert.Equal("已到截止时间", Left("zh-CN", Duration.Zero));
        Assert.Equal("förfaller nu", Left("sv", Duration.Zero));
        Assert.Equal("2 timmar för sent", Left("sv", -Duration.FromHours(2)));
        Assert.Equal("已超时2小时", Left("zh-CN", -Duration.FromHours(2)));
    }

    [Fact]
    public void Lead_times_read_in_each_language_and_English_as_before()
    {
        foreach (var text in new[] { "P30D", "P1M2W", "PT1H30M", "PT0S", "P1D" })
            Assert.Equal(LeadTime.Parse(text).Words, Countdown.LeadWords(LeadTime.Parse(text), MessageLanguage.English));
        Assert.Equal("提前1个月2周", Countdown.LeadWords(LeadTime.Parse("P1M2W"), L("zh-CN")));
        Assert.Equal("1 månad, 2 veckor före", Countdown.LeadWords(LeadTime.Parse("P1M2W"), L("sv")));
        Assert.Equal("vid tidsfristen", Countdown.LeadWords(LeadTime.Parse("PT0S"), L("sv")));
    }

    [Fact]
    public void Dates_use_the_cultures_names_under_the_languages_pattern()
    {
        var due = Utc("2025-08-12T04:01:00Z"); // 00:01 in New York
        Assert.Equal("2025年8月12日 星期二 12:01 CST（Asia/Shanghai）", TimeText.Full(due, Zone("Asia/Shanghai"), L("zh-CN")));
        Assert.Equal("8月12日 周二 12:01 CST", TimeText.Brief(due, Zone("Asia/Shanghai"), L("zh-CN")));
        Assert.Equal("tis 12 aug. 2025 kl. 06:01 CEST (Europe/Stockholm)", TimeText.Full(due, Zone("Europe/Stockholm"), L("sv")));
        Assert.Equal("Tue 12 Aug 2025 00:01 EDT (America/New_York)", TimeText.Full(due, Zone("America/New_York"), MessageLanguage.English));
        Assert.Equal(TimeText.Full(due, Zone("America/New_York")), TimeText.Full(due, Zone("America/New_York"), MessageLanguage.English));
    }

    [Fact]
    public void A_locale_without_a_file_is_English_throughout_and_a_regional_one_reads_its_languages_file()
    {
        Assert.Same(MessageLanguage.English, L("fr-FR"));
        Assert.Same(MessageLanguage.English, MessageLanguage.For(null));
        Assert.Equal("sv", L("sv-FI").Tag);
        Assert.Equal("en", L("en-GB").Tag);
        Assert.Equal("zh-CN", L("zh-cn").Tag);
    }

    [Fact]
    public void A_missing_key_shows_as_itself_and_a_title_holding_a_placeholder_is_not_filled_twice()
    {
        Assert.Equal("[no.such.key]", L("sv").Text("no.such.key"));
        Assert.Equal("3 dagar kvar: Report {due}, tis", L("sv").Text("alert.headline", ("countdown", "3 dagar kvar"), ("title", "Report {due}"), ("due", "tis")));
    }

    [Fact]
    public void Browsers_Accept_Language_picks_the_first_shipped_language_it_prefers()
    {
        Assert.Equal("zh-CN", MessageLanguage.ForAcceptLanguage("zh-CN,zh;q=0.9,en;q=0.8").Tag);
        Assert.Equal("sv", MessageLanguage.ForAcceptLanguage("fr-FR, sv;q=0.7, en;q=0.5").Tag);
        Assert.Equal("sv", MessageLanguage.ForAcceptLanguage("en;q=0.2, sv-SE").Tag);
        Assert.Same(MessageLanguage.English, MessageLanguage.ForAcceptLanguage("fr, de"));
        Assert.Same(MessageLanguage.English, MessageLanguage.ForAcceptLanguage(null));
        Assert.Same(MessageLanguage.English, MessageLanguage.ForAcceptLanguage("zh_CN;q=abc, *"));
    }

    private static readonly RecordReader Reader = new(EndpointPolicy.Strict);

    private static string SubscriberFile(object? locale) => JsonSerializer.Serialize(new
    {
        subscribers = new[]
        {
            new Dictionary<string, object?>
            {
                ["id"] = "beijing-desk", ["name"] = "Beijing desk", ["categories"] = new[] { "tariff" }, ["locale"] = locale,
                ["channels"] = new[] { new { type = "email", address = "desk@example.com" } },
            },
        },
    });

    [Theory]
    [InlineData("zh-CN", "zh-CN")]
    [InlineData("zh-cn", "zh-CN")]
    [InlineData("sv", "sv")]
    [InlineData(" en-GB ", "en-GB")]
    public void A_locale_ICU_knows_is_stored_in_its_canonical_spelling_and_written_back(string written, string stored)
    {
        var s = Assert.Single(Reader.ReadJson(SubscriberFile(written), Utc("2026-01-01T00:00:00Z")).Subscribers);
        Assert.Equal(stored, s.Locale!.Name);
        Assert.Equal(stored, RecordJson.Subscriber(s, includeSecrets: false)["locale"]!.GetValue<string>());
        Assert.Null(RecordJson.Subscriber(s with { Locale = null }, includeSecrets: false)["locale"]);
    }

    [Theory]
    [InlineData("xx-YY", "is not a language this installation's ICU knows; give a BCP 47 language tag such as en, en-GB, zh-CN or sv, or leave locale out for English")]
    [InlineData("zh_CN", "is not a BCP 47 tag (parts are joined by '-', not '_'); did you mean zh-CN?")]
    [InlineData("", "is empty; give a BCP 47 language tag such as en, en-GB, zh-CN or sv, or leave locale out for English")]
    [InlineData("en-US-x-desk", "is not a BCP 47 language tag; give a BCP 47 language tag such as en, en-GB, zh-CN or sv, or leave locale out for English")]
    public void An_unknown_or_malformed_locale_is_refused_naming_record_field_and_fix(string written, string message)
    {
        var problem = Assert.Single(Assert.Throws<RecordValidationException>(() => Reader.ReadJson(SubscriberFile(written), Utc("2026-01-01T00:00:00Z"))).Problems);
        Assert.Equal(("subscriber beijing-desk", "locale", written, message), (problem.Record, problem.Field, problem.Value, problem.Message));
    }

    [Fact]
    public void A_locale_that_is_not_a_string_is_refused()
    {
        var problem = Assert.Single(Assert.Throws<RecordValidationException>(() => Reader.ReadJson(SubscriberFile(7), Utc("2026-01-01T00:00:00Z"))).Problems);
        Assert.Equal(("locale", "must be a string"), (problem.Field, problem.Message));
    }

    [Fact]
    public void The_samples_Beijing_desk_reads_Chinese_and_its_Stockholm_channel_Swedish()
    {
        var sample = System.IO.File.ReadAllText(RepoPath("samples/trade-deadlines.json"));
        var set = new RecordReader(new EndpointPolicy(["127.0.0.1:5099"])).ReadJson(sample, Utc("2025-07-29T05:00:00Z"));
        Assert.Equal([("beijing-desk", "zh-CN"), ("new-york-desk", null), ("stockholm-channel", "sv")],
            set.Subscribers.OrderBy(s => s.Id.Value, StringComparer.Ordinal).Select(s => (s.Id.Value, s.Locale?.Name)));
    }

    private static HashSet<string> Placeholders(string text) => [.. PlaceholderPattern().Matches(text).Select(m => m.Groups[1].Value)];

    [GeneratedRegex(@"\{([a-z]+)\}")]
    private static partial Regex PlaceholderPattern();

    private static string RepoPath(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (Path.Exists(Path.Combine(dir.FullName, relative))) return Path.Combine(dir.FullName, relative);
        throw new FileNotFoundException(relative);
    }
}
