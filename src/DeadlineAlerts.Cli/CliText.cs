using System.Text.Json;
using System.Text.Json.Nodes;
using DeadlineAlerts.Core.Records;
using NodaTime;
using NodaTime.Text;

namespace DeadlineAlerts.Cli;

/// <summary>Small text helpers every command shares.</summary>
internal static class CliText
{
    /// <summary>
    /// Record text as a terminal line shows it (<see cref="TextRules.Terminal"/>): control characters escaped, so a
    /// record stored before the character rules, or written to the table directly, cannot drive the terminal.
    /// Every command that prints record text (titles, names, notes, reasons, audit summaries, alert text, errors)
    /// prints it through this.
    /// </summary>
    public static string T(object? value) => TextRules.Terminal(value?.ToString());

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary><c>--json</c> output: the API's shapes, indented.</summary>
    public static string JsonArray(IEnumerable<JsonNode> items) => new JsonArray([.. items]).ToJsonString(Json);

    /// <summary>An instant as an option takes it: <c>2025-07-29T08:00:00Z</c> or with an offset; null when it is neither.</summary>
    public static Instant? ParseInstant(string text)
    {
        var r = InstantPattern.ExtendedIso.Parse(text.Trim());
        if (r.Success) return r.Value;
        var odt = OffsetDateTimePattern.ExtendedIso.Parse(text.Trim());
        return odt.Success ? odt.Value.ToInstant() : null;
    }

    /// <summary>
    /// Whether a command-line word may be repeated in an error message. A word that could be a connection string,
    /// a URL with a token or a key (it holds ';', '=', '?', '://' or is long) is not: an operator who typed
    /// <c>--bogus "AccountKey=..."</c> must not find the key in a terminal log.
    /// </summary>
    public static bool Showable(string word) =>
        word.Length <= 64 && word.IndexOfAny([';', '=', '?', '&', '@']) < 0 && !word.Contains("://", StringComparison.Ordinal)
        && word.All(c => !char.IsControl(c));
}
