using DeadlineAlerts.Testing;
using static DeadlineAlerts.Testing.Records;

namespace DeadlineAlerts.Cli.Tests;

/// <summary>dla import of CSV and dla export, as an operator runs them.</summary>
public sealed class ExportCliTests : DlaTestBase
{

    [Fact]
    public async Task Export_ics_writes_the_active_deadlines_as_a_calendar_a_parser_reads_back()
    {
        var csv = Write("deadlines.csv", "id,title,due,timeZone,leadTimes,status\ntruce,Truce,2025-08-12T00:01,America/New_York,P7D PT0S,active\nold,Old,2025-08-01T00:00,UTC,,resolved\n");
        Assert.Equal(0, (await Dla("import", csv, "--now", "2025-07-29T08:00:00Z")).Code);

        var (code, output, _) = await Dla("export", "--format", "ics");

        Assert.Equal(0, code);
        var e = Assert.Single(Ical.Net.Calendar.Load(output)!.Events);
        Assert.Equal("truce@deadlinealerts", e.Uid);
        Assert.Equal(new DateTime(2025, 8, 12, 4, 1, 0, DateTimeKind.Utc), e.DtStart!.AsUtc);
        Assert.Equal(["-P7D", "P0D"], e.Alarms.Select(a => a.Trigger!.Duration!.Value.ToString()));
    }

    /// <summary>The bug was relative to the machine's clock (Ical.Net built VTIMEZONE intervals up to it), so the
    /// deadline here is ten years after the real today, in a zone with DST.</summary>
    [Fact]
    public async Task Export_ics_of_a_deadline_ten_years_ahead_writes_its_zone_and_reads_back_at_its_instant()
    {
        var year = DateTime.UtcNow.Year + 10;
        var csv = Write("deadlines.csv", $"id,title,due,timeZone,leadTimes,status\nfar,Far,{year}-07-01T09:00,Europe/Berlin,P7D,active\n");
        Assert.Equal(0, (await Dla("import", csv)).Code);

        var (code, output, error) = await Dla("export", "--format", "ics");

        Assert.True(code == 0, error);
        var calendar = Ical.Net.Calendar.Load(output)!;
        var e = Assert.Single(calendar.Events);
        Assert.Equal("Europe/Berlin", e.DtStart!.TzId);
        Assert.Equal(new DateTime(year, 7, 1, 9, 0, 0), e.DtStart.Value);
        Assert.Equal(new DateTime(year, 7, 1, 7, 0, 0, DateTimeKind.Utc), e.DtStart.AsUtc); // CEST, +02:00
        var summer = Assert.Single(Assert.Single(calendar.TimeZones).TimeZoneInfos);
        Assert.Equal(("DAYLIGHT", "CEST", TimeSpan.FromHours(2)), (summer.Name, summer.TimeZoneName, summer.OffsetTo!.Offset));
    }

    [Fact]
    public async Task A_csv_file_is_imported_by_its_extension_and_a_bad_one_names_the_row()
    {
        var good = Write("deadlines.csv", "id,title,due,timeZone,leadTimes\ntruce,\"Truce, extended\",2025-11-10T00:01,America/New_York,P7D PT0S\n");
        var imported = await Dla("import", good, "--now", "2025-07-29T08:00:00Z");
        Assert.Equal(0, imported.Code);
        Assert.Contains("1 added", imported.Out);

        var bad = Write("bad.txt", "id,title,due,timeZone\nx,X,2025-11-10T00:01,Eastern Standard Time\n");
        var refused = await Dla("import", bad, "--format", "csv");
        Assert.Equal(1, refused.Code);
        Assert.Contains("row 2 (deadline x): timeZone \"Eastern Standard Time\" is a Windows time zone id; use the IANA id America/New_York instead", refused.Err);
    }

    [Fact]
    public async Task Export_to_stdout_redacts_and_says_so_while_export_to_a_file_is_complete_and_private()
    {
        Settings["DeadlineAlerts__Delivery__AllowHosts"] = "127.0.0.1";
        var file = Write("records.json", File([Deadline("truce", "2025-08-12T00:01")], [Subscriber("desk", "http://127.0.0.1:9/services/T000/B000/SECRETTOKEN123")]));
        Assert.Equal(0, (await Dla("import", file, "--now", "2025-07-29T08:00:00Z")).Code);

        var shown = await Dla("export", "--format", "json");
        Assert.Equal(0, shown.Code);
        Assert.DoesNotContain("SECRETTOKEN123", shown.Out);
        Assert.DoesNotContain("whsec_", shown.Out);
        Assert.Contains("cannot re-create those channels", shown.Err);

        var path = Path.Combine(_dir, "backup.json");
        var written = await Dla("export", "--out", path);
        Assert.Equal(0, written.Code);
        Assert.DoesNotContain("SECRETTOKEN123", written.Out);
        Assert.Contains("SECRETTOKEN123", await System.IO.File.ReadAllTextAsync(path));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, System.IO.File.GetUnixFileMode(path));

        var again = await Dla("import", path);
        Assert.Contains("0 added, 0 updated, 2 unchanged; 0 alert(s) scheduled", again.Out);
    }

    [Fact]
    public async Task Export_csv_writes_the_documented_header_and_refuses_unknown_formats()
    {
        var file = Write("records.json", File([Deadline("truce", "2025-08-12T00:01")], []));
        Assert.Equal(0, (await Dla("import", file)).Code);

        var csv = await Dla("export", "--format", "csv");
        Assert.Equal(0, csv.Code);
        Assert.StartsWith("id,title,due,timeZone,category,leadTimes,source,notes,status,recurrence\r\ntruce,Deadline truce,2025-08-12T00:01:00,America/New_York,tariff,P7D P1D PT1H PT0S,,,active,\r\n", csv.Out);
        Assert.Equal(2, (await Dla("export", "--format", "xml")).Code);
    }
}
