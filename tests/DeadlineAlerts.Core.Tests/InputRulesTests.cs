using System.Text;
using System.Text.Json;
using DeadlineAlerts.Core.Records;
using NodaTime;
using static DeadlineAlerts.Core.Tests.Given;

namespace DeadlineAlerts.Core.Tests;

/// <summary>
/// README "Limits and characters": every text field has a limit and the character rules, refused by the reader
/// with the record, the field and the limit; every refused field of a record is reported in one round.
/// </summary>
public sealed class InputRulesTests
{
    private static readonly Instant Now = Utc("2026-01-01T00:00:00Z");
    private static readonly RecordReader Reader = new(EndpointPolicy.Strict);

    private static Dictionary<string, object?> Deadline(string id = "truce") => new()
    {
        ["id"] = id,
        ["title"] = "Tariff truce expires",
        ["due"] = "2026-03-09T09:00",
        ["timeZone"] = "America/New_York",
        ["category"] = "tariff",
        ["leadTimes"] = new[] { "P7D" },
    };

    private static Dictionary<string, object?> Subscriber(string id = "desk") => new()
    {
        ["id"] = id,
        ["name"] = "Trade desk",
        ["categories"] = new[] { "tariff" },
        ["channels"] = new object[] { new { type = "webhook", url = "https://hooks.example.com/T000/secret-token" } },
    };

    private static string File(IEnumerable<object>? deadlines = null, IEnumerable<object>? subscribers = null) =>
        JsonSerializer.Serialize(new { deadlines = deadlines ?? [], subscribers = subscribers ?? [] });

    private static IReadOnlyList<RecordProblem> Problems(string json) =>
        Assert.Throws<RecordValidationException>(() => Reader.ReadJson(json, Now)).Problems;

    private static Dictionary<string, object?> With(Dictionary<string, object?> record, string field, object? value)
    {
        record[field] = value;
        return record;
    }

    [Fact]
    public void A_60000_character_title_is_refused_naming_the_record_the_field_and_the_limit_without_repeating_it()
    {
        var p = Assert.Single(Problems(File([With(Deadline(), "title", new string('x', 60_000))])));

        Assert.Equal("deadline truce", p.Record);
        Assert.Equal("title", p.Field);
        Assert.Equal("is 60,000 characters long (120,000 bytes as stored); at most 1,000 characters are accepted; shorten it, and put longer text in notes", p.Message);
        Assert.Equal(new string('x', 200) + "…", p.Value);
        Assert.True(p.ToString().Length < 400, "the problem line does not repeat the whole value");
    }

    [Theory]
    [InlineData("title", 1_000)]
    [InlineData("category", 200)]
    [InlineData("source", 2_000)]
    [InlineData("notes", 16_000)]
    public void Each_deadline_field_takes_exactly_its_limit(string field, int limit)
    {
        string Text(int n) => field == "source" ? "https://example.org/" + new string('a', n - 20) : new string('a', n);

        var set = Reader.ReadJson(File([With(Deadline(), field, Text(limit))]), Now);
        Assert.Single(set.Deadlines);

        var p = Assert.Single(Problems(File([With(Deadline(), field, Text(limit + 1))])));
        Assert.Equal((field, $"at most {limit:N0} characters are accepted"), (p.Field, p.Message.Split("; ")[1]));
    }

    [Fact]
    public void One_megabyte_of_notes_is_refused()
    {
        var p = Assert.Single(Problems(File([With(Deadline(), "notes", new string('n', 1024 * 1024))])));

        Assert.Equal(("deadline truce", "notes"), (p.Record, p.Field));
        Assert.StartsWith("is 1,048,576 characters long (2,097,152 bytes as stored); at most 16,000 characters are accepted", p.Message);
    }

    [Fact]
    public void Characters_outside_the_BMP_count_twice_as_Table_Storage_stores_them()
    {
        var emoji = string.Concat(Enumerable.Repeat("😀", 501)); // 1,002 UTF-16 code units

        var p = Assert.Single(Problems(File([With(Deadline(), "title", emoji)])));

        Assert.StartsWith("is 1,002 characters long (2,004 bytes as stored)", p.Message);
    }

    [Theory]
    [InlineData("title", "Red \u001b[31malert", "holds the control character U+001B (ESC) at character 5")]
    [InlineData("title", "Ding\u0007", "holds the control character U+0007 (BEL) at character 5")]
    [InlineData("category", "tar\0iff", "holds the control character U+0000 (NUL) at character 4")]
    [InlineData("notes", "fine\nthen \u009b2J", "holds the control character U+009B (CSI) at character 11")]
    [InlineData("title", "two\nlines", "holds a line break (U+000A) at character 4; this field is one line (line breaks are allowed in notes only)")]
    [InlineData("title", "carriage\rreturn", "holds a line break (U+000D) at character 9; this field is one line (line breaks are allowed in notes only)")]
    [InlineData("title", "tab\there", "holds the control character U+0009 (tab) at character 4; remove it (only notes may hold tab and line feed)")]
    [InlineData("title", "line\u2028separator", "holds a line break (U+2028) at character 5; this field is one line (line breaks are allowed in notes only)")]
    [InlineData("notes", "para\u2029graph", "holds a line break (U+2029) at character 5; this field is one line (line breaks are allowed in notes only)")]
    [InlineData("due", "2026-03-09T09:00\u001b", "holds the control character U+001B (ESC) at character 17")]
    [InlineData("timeZone", "America/New_York\n", "holds a line break (U+000A) at character 17")]
    public void Control_characters_and_line_breaks_are_refused_once_naming_the_field(string field, string value, string message)
    {
        var p = Assert.Single(Problems(File([With(Deadline(), field, value)])));

        Assert.Equal(("deadline truce", field), (p.Record, p.Field));
        Assert.StartsWith(message, p.Message);
        Assert.DoesNotContain('\u001b', p.ToString());
        Assert.DoesNotContain('\u009b', p.ToString());
    }

    [Fact]
    public void An_escaped_half_surrogate_pair_is_refused_naming_where_it_is()
    {
        var json = """{"deadlines": [{"id": "truce", "title": "half \ud800 pair", "due": "2026-03-09T09:00", "timeZone": "UTC"}]}""";

        var p = Assert.Single(Problems(json));

        Assert.Equal("file: deadlines[0].title holds half of a surrogate pair (an escaped \\ud800 without its other half), which is not text; fix the file's encoding", p.ToString());
    }

    [Fact]
    public void Notes_keep_tabs_and_line_feeds_and_store_a_carriage_return_as_a_line_feed()
    {
        var set = Reader.ReadJson(File([With(Deadline(), "notes", "Agenda:\n\t1. talks\r\n\t2. vote\rend")]), Now);

        Assert.Equal("Agenda:\n\t1. talks\n\t2. vote\nend", Assert.Single(set.Deadlines).Notes);
    }

    [Fact]
    public void Subscriber_fields_and_lists_have_limits_and_a_refused_url_is_never_shown()
    {
        var s = Subscriber();
        s["name"] = new string('n', 201);
        s["categories"] = Enumerable.Range(0, 101).Select(i => $"c{i}").ToArray();
        s["channels"] = new object[]
        {
            new { type = "webhook", url = "https://hooks.example.com/T000/secret-token\u001b]0;pwned\u0007" },
            new { type = "email", address = "desk@example.com\r\nBcc: all@example.com" },
        };
        s["digest"] = new { every = "day", at = "08:00\u0000" };
        s["timeZone"] = "Europe/Stockholm";

        var problems = Problems(File(subscribers: [s]));

        Assert.Equal(
            [
                ("name", "is 201 characters long (402 bytes as stored); at most 200 characters are accepted; shorten it, and put longer text in notes"),
                ("categories", "has 101 entries; at most 100 are accepted"),
                ("channels[0].url", "holds the control character U+001B (ESC) at character 44; remove it (only notes may hold tab and line feed)"),
                ("channels[1].address", "holds a line break (U+000D) at character 17; this field is one line (line breaks are allowed in notes only)"),
                ("digest.at", "holds the control character U+0000 (NUL) at character 6; remove it (only notes may hold tab and line feed)"),
            ],
            problems.Select(p => (p.Field, p.Message)));
        Assert.All(problems, p => Assert.Equal("subscriber desk", p.Record));
        Assert.Null(problems.Single(p => p.Field == "channels[0].url").Value);
        Assert.DoesNotContain(problems, p => p.ToString().Contains("secret-token"));
    }

    [Fact]
    public void A_bad_due_is_reported_together_with_a_bad_time_zone()
    {
        var d = Deadline();
        d["timeZone"] = "Mars/Olympus_Mons";
        d["due"] = "2026-02-30T09:00";

        var problems = Problems(File([d]));

        Assert.Equal(["timeZone", "due"], problems.Select(p => p.Field));
        Assert.Equal("2026-02-30T09:00", problems[1].Value);
    }

    [Fact]
    public void Every_refused_field_of_a_record_is_reported_in_one_round()
    {
        var d = Deadline();
        d["title"] = new string('t', 1_001);
        d["category"] = "two\nlines";
        d["notes"] = "bell\u0007";
        d["timeZone"] = "Nowhere/City";
        d["due"] = "tomorrow";
        d["leadTimes"] = new[] { "P7D", "seven days" };
        d["status"] = "paused";

        var problems = Problems(File([d, Deadline("other")]));

        Assert.Equal(["title", "category", "notes", "timeZone", "due", "leadTimes", "status"], problems.Select(p => p.Field));
        Assert.All(problems, p => Assert.Equal("deadline truce", p.Record));
    }

    [Fact]
    public void A_csv_row_with_an_escape_sequence_is_refused_naming_the_row()
    {
        var csv = "id,title,due,timeZone\ngood,Good,2026-03-09T09:00,UTC\nbad,\"Bad \u001b[2J\",2026-03-09T09:00,UTC\n";

        var p = Assert.Single(Assert.Throws<RecordValidationException>(() => Reader.ReadCsv(csv, Now)).Problems);

        Assert.Equal(("row 3 (deadline bad)", "title"), (p.Record, p.Field));
        Assert.Equal("row 3 (deadline bad): title \"Bad \\u001b[2J\" holds the control character U+001B (ESC) at character 5; remove it (only notes may hold tab and line feed)", p.ToString());
    }

    [Fact]
    public void Invalid_UTF8_is_refused_with_its_byte_offset()
    {
        var bytes = Encoding.UTF8.GetBytes("{\"deadlines\": [{\"title\": \"caf").Concat(new byte[] { 0xC3, 0x28 }).Concat(Encoding.UTF8.GetBytes("\"}]}")).ToArray();

        var p = Assert.Single(Assert.Throws<RecordValidationException>(() => TextRules.DecodeUtf8(bytes, "file in.json")).Problems);

        Assert.Equal("file in.json: encoding is not valid UTF-8: the byte at offset 29 (0xC3) does not begin a UTF-8 character; save the file as UTF-8 (in Excel: CSV UTF-8)", p.ToString());
        Assert.Equal("é", TextRules.DecodeUtf8([0xEF, 0xBB, 0xBF, 0xC3, 0xA9]));
    }

    [Fact]
    public void Terminal_text_escapes_every_control_character_and_keeps_the_rest()
    {
        Assert.Equal("Red \\u001b[31malert\\u0007 \\u000a next \\u2028 😀 Ärger", TextRules.Terminal("Red \u001b[31malert\u0007 \n next \u2028 😀 Ärger"));
        Assert.Equal("plain", TextRules.Terminal("plain"));
    }
}
