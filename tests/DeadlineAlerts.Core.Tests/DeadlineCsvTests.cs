using DeadlineAlerts.Core.Records;
using NodaTime;
using static DeadlineAlerts.Core.Tests.Given;

namespace DeadlineAlerts.Core.Tests;

public class DeadlineCsvTests
{
    private static readonly Instant Now = Utc("2026-01-01T00:00:00Z");
    private static readonly RecordReader Reader = new(EndpointPolicy.Strict);
    private const string Header = "id,title,due,timeZone,category,leadTimes,source,notes,status";

    private static IReadOnlyList<string> Problems(string csv) =>
        Assert.Throws<RecordValidationException>(() => Reader.ReadCsv(csv, Now)).Problems.Select(p => p.ToString()).ToList();

    [Fact]
    public void Rows_become_deadlines_with_quoted_commas_quotes_and_line_breaks_kept()
    {
        var csv = Header + "\r\n" +
                  "us-china-tariff-truce,\"US-China truce, extended\",2025-11-10T00:01,America/New_York,tariff,P30D P7D P1D PT0S,https://example.org/a,\"Line one\r\nsaid \"\"90 days\"\"\",active\r\n" +
                  "eu-steel,EU steel safeguard,2026-06-30T23:59,Europe/Brussels,steel,,,,resolved\r\n";

        var set = Reader.ReadCsv(csv, Now);

        Assert.Equal(["us-china-tariff-truce", "eu-steel"], set.Deadlines.Select(d => d.Id));
        var truce = set.Deadlines[0];
        Assert.Equal("US-China truce, extended", truce.Title);
        Assert.Equal("Line one\nsaid \"90 days\"", truce.Notes); // a CRLF inside notes is stored as one line feed
        Assert.Equal(["P30D", "P7D", "P1D", "PT0S"], truce.LeadTimes.Select(l => l.Text));
        Assert.Equal(Utc("2025-11-10T05:01:00Z"), truce.Due.Instant);
        Assert.Equal(DeadlineStatus.Resolved, set.Deadlines[1].Status);
        Assert.Empty(set.Deadlines[1].LeadTimes);
        Assert.Null(set.Deadlines[1].Notes);
    }

    [Fact]
    public void Columns_may_come_in_any_order_and_optional_ones_may_be_left_out()
    {
        var set = Reader.ReadCsv("timeZone,due,title,id\nAsia/Shanghai,2026-02-01T09:00,Lunar deadline,lunar\n", Now);

        var d = Assert.Single(set.Deadlines);
        Assert.Equal(Utc("2026-02-01T01:00:00Z"), d.Due.Instant);
        Assert.Null(d.Category);
    }

    [Fact]
    public void Unknown_and_missing_columns_are_refused_by_name()
    {
        var problems = Problems("id,title,deadline,timezone,owner\nx,X,2026-01-01T00:00,UTC,me\n");

        Assert.Contains("row 1 (header): column \"deadline\" is not a known column; the columns are id,title,due,timeZone,category,leadTimes,source,notes,status,recurrence", problems);
        Assert.Contains("row 1 (header): column \"owner\" is not a known column; the columns are id,title,due,timeZone,category,leadTimes,source,notes,status,recurrence", problems);
        Assert.Contains("row 1 (header): due column is missing; a deadline needs id, title, due, timeZone", problems);
        Assert.DoesNotContain(problems, p => p.Contains("timeZone column is missing")); // "timezone" is accepted case-insensitively
    }

    [Fact]
    public void A_bad_value_names_the_row_the_id_the_column_the_value_and_the_fix()
    {
        var problems = Problems(Header + "\n" +
                                "fine,Fine,2026-03-01T09:00,UTC,,,,,\n" +
                                "bad-zone,Bad,2026-03-01T09:00,Eastern Standard Time,,P7D -P1D,,,\n" +
                                "bad id,Bad id,2026-03-01T09:00,UTC,,,,,\n" +
                                "bad-status,Bad,2026-13-01T09:00,UTC,,,,,pending\n");

        Assert.Equal(
        [
            "row 3 (deadline bad-zone): timeZone \"Eastern Standard Time\" is a Windows time zone id; use the IANA id America/New_York instead",
            "row 3 (deadline bad-zone): leadTimes \"-P1D\" is negative; a lead time counts back from the deadline, so give a positive an ISO 8601 duration such as P30D, P1W, P1DT12H, PT1H or PT0S",
            "row 4: id \"bad id\" may hold only letters, digits, '.', '_' and '-', and must start with a letter or digit",
            "row 5 (deadline bad-status): due \"2026-13-01T09:00\" is not a local date-time such as 2025-08-12T00:01, optionally with an offset such as 2026-11-01T01:30-05:00",
            "row 5 (deadline bad-status): status \"pending\" is not a status; use active, resolved or cancelled",
        ], problems);
    }

    [Fact]
    public void A_duplicate_id_names_both_rows()
    {
        var problems = Problems(Header + "\ntwin,A,2026-03-01T09:00,UTC,,,,,\ntwin,B,2026-03-02T09:00,UTC,,,,,\n");

        Assert.Equal(["rows 2, 3 (deadline twin): id \"twin\" appears 2 times in the file; each deadline id must be unique"], problems);
    }

    [Fact]
    public void A_row_with_the_wrong_number_of_cells_says_to_quote_commas()
    {
        var problems = Problems(Header + "\nx,Truce, extended,2026-03-01T09:00,UTC,,,,,\n");

        Assert.Equal(["row 2: row has 10 values but the header has 9 columns; quote values that contain commas (\"a, b\")"], problems);
    }

    [Fact]
    public void Broken_quoting_names_the_row_and_column()
    {
        Assert.Equal(["row 2: column 2 has a quote inside an unquoted value; wrap the value in double quotes and double the quote inside (\"say \"\"hi\"\"\")"],
            Problems(Header + "\nx,The \"big\" one,2026-03-01T09:00,UTC,,,,,\n"));
        Assert.Equal(["row 2: column 8 opens a quote that is never closed; end the quoted value with \" (a quote inside it is written \"\")"],
            Problems(Header + "\nx,X,2026-03-01T09:00,UTC,,,,\"never closed,\n"));
    }

    [Fact]
    public void A_skipped_local_time_warns_with_the_row()
    {
        var set = Reader.ReadCsv(Header + "\nspring,Spring,2026-03-08T02:30,America/New_York,,,,,\n", Now);

        Assert.Equal(Utc("2026-03-08T07:30:00Z"), set.Deadlines[0].Due.Instant);
        Assert.StartsWith("row 2 (deadline spring): due 2026-03-08T02:30:00 does not exist", Assert.Single(set.Warnings));
    }

    [Fact]
    public void Written_csv_reads_back_to_the_same_deadlines_even_the_later_of_two_ambiguous_times()
    {
        var original = Reader.ReadCsv(Header + ",recurrence\r\n" +
            "fall-back,\"Late, \"\"second\"\" 01:30\",2026-11-01T01:30-05:00,America/New_York,tariff,P7D PT0S,https://example.org/x,\" padded \nnote \",cancelled,\r\n" +
            "plain,Plain,2026-03-01T09:00,UTC,,,,,,\r\n" +
            "rate,Tariff-rate publication,2026-01-31T09:00,America/New_York,tariff,P7D PT0S,,,active,FREQ=MONTHLY;BYMONTHDAY=31\r\n", Now);

        var written = DeadlineCsv.Write(original.Deadlines);
        var again = Reader.ReadCsv(written, Now);

        Assert.StartsWith(Header + ",recurrence\r\n", written);
        Assert.Contains("2026-11-01T01:30:00-05:00", written);
        Assert.Equal(Utc("2026-11-01T06:30:00Z"), again.Deadlines[0].Due.Instant);
        Assert.Contains(",active,FREQ=MONTHLY;BYMONTHDAY=31\r\n", written);
        Assert.Equal("FREQ=MONTHLY;BYMONTHDAY=31", again.Deadlines[2].Recurrence?.Text);
        Assert.Equal(original.Deadlines.Select(d => RecordJson.Text(RecordJson.Deadline(d))), again.Deadlines.Select(d => RecordJson.Text(RecordJson.Deadline(d))));
    }
}

public class ReadOnlyHistoryTests
{
    [Fact]
    public void An_exported_history_field_is_accepted_on_import_and_ignored()
    {
        var reader = new RecordReader(EndpointPolicy.Strict);
        var set = reader.ReadJson("""
            {"deadlines": [{"id": "truce", "title": "Truce", "due": "2025-11-10T00:01", "timeZone": "America/New_York",
              "history": [{"from": "2025-08-12T00:01", "to": "2025-11-10T00:01", "reason": "extended"}]}]}
            """, NodaTime.Instant.MinValue);

        Assert.Equal("truce", Assert.Single(set.Deadlines).Id);
    }
}
