using DeadlineAlerts.App.Operator;
using DeadlineAlerts.App.Scan;
using DeadlineAlerts.Cli.Commands;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Rendering;
using DeadlineAlerts.Core.Schedule;
using DeadlineAlerts.Storage.Ledger;
using NodaTime;
using Spectre.Console;
using static DeadlineAlerts.Cli.CliText;

namespace DeadlineAlerts.Cli;

/// <summary>
/// Listings a person reads (Spectre.Console): aligned columns that fit the terminal's width, a long title wrapping
/// inside its own column rather than pushing the next one out of line. Colour only on a terminal, and never when
/// <c>NO_COLOR</c> is set (no-color.org). Output that is redirected (a pipe, a file, a test) gets no colour and no
/// wrapping: each row stays one line for grep and scripts. Every cell is plain text (never markup), escaped by
/// <see cref="CliText.T"/>.
/// </summary>
internal static class Tables
{
    /// <summary>Whether <paramref name="writer"/> is the process's terminal (not redirected).</summary>
    public static bool IsTerminal(TextWriter writer) => ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected;

    /// <summary>Wide enough that no row of a redirected listing wraps.</summary>
    private const int UnwrappedWidth = 4096;

    /// <param name="width">The width to fit (<c>COLUMNS</c>); default the terminal's, or unwrapped when redirected.</param>
    public static void Write(TextWriter writer, Table table, int? width = null)
    {
        var terminal = IsTerminal(writer);
        using var trimmed = new TrimmedLines(writer);
        var colour = terminal && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(trimmed),
            Ansi = colour ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = colour ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No, // never prompts, never redraws: a listing is written once
        });
        console.Profile.Width = width ?? (terminal ? Math.Max(40, Console.WindowWidth) : UnwrappedWidth);
        console.Write(table);
        trimmed.Flush();
    }

    /// <summary>A writer that drops the spaces Spectre pads each row with up to the table's width.</summary>
    private sealed class TrimmedLines(TextWriter inner) : TextWriter
    {
        private readonly System.Text.StringBuilder _line = new();
        public override System.Text.Encoding Encoding => inner.Encoding;

        public override void Write(char value)
        {
            if (value == '\n') { inner.WriteLine(_line.ToString().TrimEnd()); _line.Clear(); }
            else if (value != '\r') _line.Append(value);
        }

        public override void Flush()
        {
            if (_line.Length > 0) { inner.Write(_line.ToString().TrimEnd()); _line.Clear(); }
            inner.Flush();
        }
    }

    /// <summary>
    /// A borderless table whose first column starts at the line's start: rows grep like the plain lines they replace.
    /// Only the free-text columns (<paramref name="wrapping"/>: a title, an error) wrap when the width is short; ids,
    /// instants and statuses never break.
    /// </summary>
    private static Table Create(string[] headers, params string[] wrapping)
    {
        var table = new Table { Border = TableBorder.None, ShowHeaders = true };
        foreach (var header in headers)
        {
            var column = new TableColumn(new Text(header, new Style(decoration: Decoration.Bold))).PadLeft(0).PadRight(2);
            if (!wrapping.Contains(header)) column.NoWrap();
            table.AddColumn(column);
        }
        return table;
    }

    private static Text Cell(string text, Style? style = null) => new(text, style ?? Style.Plain);

    public static Table Deadlines(IEnumerable<Deadline> deadlines, Instant now)
    {
        var table = Create(["ID", "STANDING", "DUE", "TITLE"], "DUE", "TITLE");
        foreach (var d in deadlines)
        {
            var overdue = Countdown.IsOverdue(d, now);
            table.AddRow(Cell(T(d.Id)), Cell(Countdown.Standing(d, now), overdue ? new Style(Color.Red) : Style.Plain),
                Cell(TimeText.Full(Next(d, now).Instant, d.Due.Zone) + (d.Recurrence is null ? "" : " (repeats)")), Cell(T(d.Title)));
            if (d.History.Count > 0)
                table.AddRow(Cell(""), Cell(""), Cell(""), Cell("latest change: " + T(DeadlinesCommand.ChangeText(d.History[^1])), new Style(Color.Grey)));
        }
        return table;
    }

    public static Table Subscribers(IEnumerable<Subscriber> subscribers)
    {
        var table = Create(["ID", "NAME", "ZONE", "FOLLOWS", "CHANNELS"], "NAME", "FOLLOWS", "CHANNELS");
        foreach (var s in subscribers)
        {
            var follows = string.Join(", ", s.Categories.Select(c => "category " + c).Concat(s.DeadlineIds.Select(d => d.Value)));
            if (s.QuietHours is { } q) follows += $"; quiet {q}{(q.UrgentPassesThrough ? "" : " (urgent held too)")}";
            if (s.Digest is { } digest) follows += $"; digest {digest}";
            var channels = string.Join("\n", s.Channels.Select(c => $"{T(c.Id)} {T(c.Redacted)}{(c.BrokenReason is { } b ? $"  BROKEN: {T(b)}" : "")}"));
            table.AddRow(Cell(T(s.Id)), Cell(T(s.Name)), Cell(s.TimeZone?.Id ?? "(deadline's zone)"), Cell(T(follows)),
                Cell(channels, s.Channels.Any(c => c.BrokenReason is not null) ? new Style(Color.Red) : Style.Plain));
        }
        return table;
    }

    public static Table Alerts(IEnumerable<LedgerEntry> entries)
    {
        var table = Create(["FIRES", "STATUS", "DEADLINE", "SUBSCRIBER", "LEAD", "CHANNEL", "ATTEMPTS", "LAST ERROR"], "LAST ERROR");
        foreach (var e in entries)
        {
            var style = e.Status switch { LedgerStatus.Failed => new Style(Color.Red), LedgerStatus.Delivered => new Style(Color.Green), _ => Style.Plain };
            var error = (e.LastError is { } err ? T(err) : "") + (e.Status == LedgerStatus.Failed ? $"  (dla resend {OperatorActions.LedgerKey(e)})" : "");
            table.AddRow(Cell(TimeText.Iso(e.FireAt)), Cell(e.Status.Wire(), style), Cell(T(e.DeadlineId)), Cell(T(e.SubscriberId)),
                Cell(T(e.LeadTime)), Cell(T(e.ChannelId)), Cell($"{e.Attempts}{(e.Late ? " late" : "")}"), Cell(error.Trim()));
        }
        return table;
    }

    public static Table Preview(IEnumerable<DueAlert> due)
    {
        var table = Create(["FIRES", "SUBSCRIBER", "LEAD", "ALERT"], "ALERT");
        foreach (var d in due)
            table.AddRow(Cell(TimeText.Iso(d.Alert.FireAt)), Cell(T(d.Alert.SubscriberId)), Cell(d.Alert.LeadTime.Text), Cell(T(d.View.Headline)));
        return table;
    }

    /// <summary>One record's fields, a name and its value a line; a long value wraps in its column.</summary>
    public static Table Fields(IEnumerable<(string Name, string Value)> fields)
    {
        var table = Create(["FIELD", "VALUE"], "VALUE");
        table.ShowHeaders = false;
        foreach (var (name, value) in fields) table.AddRow(Cell(name, new Style(decoration: Decoration.Bold)), Cell(value));
        return table;
    }

    /// <summary>The due time a listing shows: a recurring deadline's next occurrence (its first when the series has ended).</summary>
    private static DueTime Next(Deadline d, Instant now) => (Occurrences.Next(d, now) ?? d).Due;
}
