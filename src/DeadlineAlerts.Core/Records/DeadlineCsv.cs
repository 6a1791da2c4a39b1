using System.Text;
using System.Text.Json.Nodes;
using NodaTime;

namespace DeadlineAlerts.Core.Records;

/// <summary>
/// Deadlines as CSV (RFC 4180), one deadline a row, for operators who keep them in a spreadsheet. The header
/// names the columns, in any order: <c>id,title,due,timeZone,category,leadTimes,source,notes,status,recurrence</c>
/// (<see cref="Columns"/>); <c>leadTimes</c> holds ISO durations separated by spaces (<c>P30D P7D P1D PT0S</c>).
/// Reading turns every row into the JSON record shape and hands the lot to <see cref="RecordReader"/>, so a
/// row obeys exactly the rules of a JSON record; only the names change: a problem names the row (the header
/// is row 1, as a spreadsheet shows it, however many lines a quoted cell spans) and the deadline id.
/// </summary>
public static class DeadlineCsv
{
    public static readonly IReadOnlyList<string> Columns = ["id", "title", "due", "timeZone", "category", "leadTimes", "source", "notes", "status", "recurrence"];
    public static readonly IReadOnlyList<string> Required = ["id", "title", "due", "timeZone"];

    /// <summary>Validates a CSV file of deadlines; all-or-nothing like <see cref="RecordReader.ReadJson"/>.</summary>
    public static RecordSet ReadCsv(this RecordReader reader, string csv, Instant now)
    {
        var rows = Parse(csv);
        var problems = new List<RecordProblem>();
        if (rows.Count == 0)
            throw new RecordValidationException([new RecordProblem("file", "header", null, $"is missing: the file is empty; the first row names the columns, e.g. {string.Join(",", Columns)}")]);

        var header = Header(rows[0], problems);
        var deadlines = new JsonArray();
        var rowOfRecord = new List<int>();
        foreach (var row in rows.Skip(1))
        {
            if (row.Cells.Count == 1 && row.Cells[0].Length == 0) continue; // a blank line
            if (row.Cells.Count != rows[0].Cells.Count)
            {
                problems.Add(new RecordProblem($"row {row.Number}", "row", null,
                    $"has {row.Cells.Count} values but the header has {rows[0].Cells.Count} columns; quote values that contain commas (\"a, b\")"));
                continue;
            }
            var o = new JsonObject();
            for (var i = 0; i < row.Cells.Count; i++)
            {
                if (header[i] is not { } column) continue;
                var cell = column == "notes" ? row.Cells[i] : row.Cells[i].Trim();
                if (cell.Trim().Length == 0) continue;
                o[column] = column == "leadTimes"
                    ? new JsonArray(cell.Split([' ', ',', '\t'], StringSplitOptions.RemoveEmptyEntries).Select(l => (JsonNode)l).ToArray())
                    : cell;
            }
            deadlines.Add(o);
            rowOfRecord.Add(row.Number);
        }
        if (problems.Count > 0) throw new RecordValidationException(problems);

        var rowsOfId = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < deadlines.Count; i++)
            if (deadlines[i]!["id"]?.GetValue<string>() is { } id)
                (rowsOfId.TryGetValue(id, out var list) ? list : rowsOfId[id] = []).Add(rowOfRecord[i]);

        string Rename(string record)
        {
            if (record.StartsWith("deadline #", StringComparison.Ordinal) && int.TryParse(record["deadline #".Length..], out var n))
                return $"row {rowOfRecord[n - 1]}";
            if (record.StartsWith("deadline ", StringComparison.Ordinal) && rowsOfId.TryGetValue(record["deadline ".Length..], out var at))
                return $"{(at.Count == 1 ? "row" : "rows")} {string.Join(", ", at)} (deadline {record["deadline ".Length..]})";
            return record;
        }

        try
        {
            var set = reader.ReadJson(new JsonObject { ["deadlines"] = deadlines }.ToJsonString(), now);
            return set with
            {
                Warnings = set.Warnings.Select(w => w.IndexOf(':') is > 0 and var colon ? Rename(w[..colon]) + w[colon..] : w).ToList(),
            };
        }
        catch (RecordValidationException e)
        {
            throw new RecordValidationException(e.Problems.Select(p => p with { Record = Rename(p.Record) }).ToList());
        }
    }

    /// <summary>The deadlines as CSV with the documented header, CRLF line ends, quoted where RFC 4180 needs it.</summary>
    public static string Write(IEnumerable<Deadline> deadlines)
    {
        var sb = new StringBuilder();
        sb.Append(string.Join(",", Columns)).Append("\r\n");
        foreach (var d in deadlines)
        {
            string?[] cells =
            [
                d.Id.Value, d.Title, d.Due.ExportText, d.Due.Zone.Id, d.Category, string.Join(' ', d.LeadTimes.Select(l => l.Text)),
                d.Source, d.Notes, d.Status.ToString().ToLowerInvariant(), d.Recurrence?.Text,
            ];
            sb.Append(string.Join(",", cells.Select(Quote))).Append("\r\n");
        }
        return sb.ToString();
    }

    private static string Quote(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        var needs = value.IndexOfAny([',', '"', '\r', '\n']) >= 0 || value.Trim().Length != value.Length;
        return needs ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }

    /// <summary>Maps each column to its field name (case-insensitively); null for a refused column.</summary>
    private static string?[] Header(Row row, List<RecordProblem> problems)
    {
        var names = new string?[row.Cells.Count];
        for (var i = 0; i < row.Cells.Count; i++)
        {
            var text = row.Cells[i].Trim();
            var known = Columns.FirstOrDefault(c => c.Equals(text, StringComparison.OrdinalIgnoreCase));
            if (known is null)
                problems.Add(new RecordProblem("row 1 (header)", "column", text,
                    text == "history"
                        ? "is read-only (history is kept by extend); remove the column"
                        : $"is not a known column; the columns are {string.Join(",", Columns)}"));
            else if (names.Contains(known))
                problems.Add(new RecordProblem("row 1 (header)", "column", text, "appears twice; name each column once"));
            else names[i] = known;
        }
        foreach (var missing in Required.Where(r => !names.Contains(r)))
            problems.Add(new RecordProblem("row 1 (header)", missing, null, $"column is missing; a deadline needs {string.Join(", ", Required)}"));
        return names;
    }

    private sealed record Row(int Number, List<string> Cells);

    /// <summary>
    /// RFC 4180 rows: comma-separated cells, CRLF or LF between rows, a quoted cell may hold commas, line
    /// breaks and doubled quotes. A stray quote inside an unquoted cell or an unclosed quote is an error
    /// naming the row, since guessing would shift every later cell of the row.
    /// </summary>
    private static List<Row> Parse(string text)
    {
        if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..]; // Excel's "CSV UTF-8" starts with a BOM
        var rows = new List<Row>();
        var cells = new List<string>();
        var cell = new StringBuilder();
        var number = 1;
        var i = 0;
        var quoted = false; // the current cell was quoted (and closed)
        while (i < text.Length)
        {
            var c = text[i];
            if (cell.Length == 0 && !quoted && c == '"')
            {
                var start = number;
                i++;
                while (true)
                {
                    if (i >= text.Length)
                        throw new RecordValidationException([new RecordProblem($"row {start}", $"column {cells.Count + 1}", null,
                            "opens a quote that is never closed; end the quoted value with \" (a quote inside it is written \"\")")]);
                    if (text[i] == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"') { cell.Append('"'); i += 2; continue; }
                        i++;
                        break;
                    }
                    cell.Append(text[i++]);
                }
                quoted = true;
                continue;
            }
            if (c == ',') { cells.Add(cell.ToString()); cell.Clear(); quoted = false; i++; continue; }
            if (c is '\r' or '\n')
            {
                cells.Add(cell.ToString()); cell.Clear(); quoted = false;
                rows.Add(new Row(number++, cells));
                cells = [];
                i += c == '\r' && i + 1 < text.Length && text[i + 1] == '\n' ? 2 : 1;
                continue;
            }
            if (quoted || c == '"')
                throw new RecordValidationException([new RecordProblem($"row {number}", $"column {cells.Count + 1}", null,
                    quoted
                        ? "has text after its closing quote; put the whole value inside the quotes"
                        : "has a quote inside an unquoted value; wrap the value in double quotes and double the quote inside (\"say \"\"hi\"\"\")")]);
            cell.Append(c);
            i++;
        }
        if (cell.Length > 0 || quoted || cells.Count > 0)
        {
            cells.Add(cell.ToString());
            rows.Add(new Row(number, cells));
        }
        return rows;
    }
}
