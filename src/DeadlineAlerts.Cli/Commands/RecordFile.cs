using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using DeadlineAlerts.Core.Records;
using NodaTime;

namespace DeadlineAlerts.Cli.Commands;

/// <summary>
/// What <c>dla deadline</c> and <c>dla subscriber</c> share: the record ID, <c>--file F|-</c>, <c>--yes</c>, and
/// reading one record in the import format (what <c>show --json</c> prints; its read-only fields are ignored) with
/// the import's own reader, so <c>add</c> accepts exactly what a file and the API accept.
/// </summary>
internal static class RecordFile
{
    public static Argument<string> Id(string kind) => new("ID") { Description = $"The {kind}'s id (dla {kind}s lists them)." };

    public static Option<string> File() => new("--file")
    {
        Description = "One record in the import format, as a JSON object (- reads it from stdin).",
        HelpName = "FILE",
        Required = true,
    };

    public static Option<bool> Yes() => new("--yes") { Description = "Confirms the deletion." };

    public static Option<bool> Json() => new("--json") { Description = "The record in the import format, as the API answers it." };

    /// <summary>Reads <paramref name="path"/> (or stdin for <c>-</c>) as one record of <paramref name="section"/> ("deadlines", "subscribers").</summary>
    public static async Task<RecordSet> ReadAsync(string path, string section, RecordReader reader, Instant now, CancellationToken ct)
    {
        string text;
        if (path == "-") text = await Console.In.ReadToEndAsync(ct);
        else if (!System.IO.File.Exists(path)) throw new BadInputException($"File \"{path}\" does not exist.");
        else text = TextRules.DecodeUtf8(await System.IO.File.ReadAllBytesAsync(path, ct), $"file {Path.GetFileName(path)}");
        JsonNode? node;
        try { node = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true }); }
        catch (JsonException e) { throw new BadInputException($"{(path == "-" ? "stdin" : path)} is not JSON: {e.Message}"); }
        if (node is not JsonObject record || record.ContainsKey(section))
            throw new BadInputException($"{(path == "-" ? "stdin" : path)} must hold one record as a JSON object such as {{\"id\": \"...\", ...}}; to store a file of records, use dla import.");
        return reader.ReadJson(new JsonObject { [section] = new JsonArray(record) }.ToJsonString(), now);
    }
}
