using System.Text.Json.Nodes;
using DeadlineAlerts.App.Calendar;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Storage.Records;

namespace DeadlineAlerts.App.Export;

/// <summary>
/// The stored records written back as import files (<c>dla export</c>), ordered by id so two exports diff
/// cleanly. Importing an export changes nothing: the second import reports every record unchanged and the
/// schedule and ledger gain nothing. That holds for JSON with secrets; without them the channel URLs are
/// redacted and such a file cannot re-create channels, which is why only export to a private file includes them.
/// </summary>
public sealed class ExportService(RecordStore records)
{
    public async Task<string> JsonAsync(bool includeSecrets, CancellationToken ct = default)
    {
        var deadlines = (await records.ListDeadlinesAsync(ct)).OrderBy(d => d.Id);
        var subscribers = (await records.ListSubscribersAsync(ct)).OrderBy(s => s.Id);
        var root = new JsonObject
        {
            ["deadlines"] = new JsonArray(deadlines.Select(d => (JsonNode)RecordJson.Deadline(d)).ToArray()),
            ["subscribers"] = new JsonArray(subscribers.Select(s => (JsonNode)RecordJson.Subscriber(s, includeSecrets)).ToArray()),
        };
        return RecordJson.Text(root) + "\n";
    }

    /// <summary>Deadlines only (subscribers have lists and channels, which a flat row cannot hold well).</summary>
    public async Task<string> CsvAsync(CancellationToken ct = default) =>
        DeadlineCsv.Write((await records.ListDeadlinesAsync(ct)).OrderBy(d => d.Id));

    /// <summary>The active deadlines as an iCalendar file, with alarms at their own lead times (see <see cref="CalendarFeed"/>).</summary>
    public async Task<string> IcsAsync(CancellationToken ct = default) =>
        CalendarFeed.Build(await records.ListDeadlinesAsync(ct));

    /// <summary>True when a redacted JSON export would lose something an import needs (a URL channel).</summary>
    public async Task<bool> HasSecretChannelsAsync(CancellationToken ct = default) =>
        (await records.ListSubscribersAsync(ct)).Any(s => s.Channels.Any(c => c.Type != ChannelSpec.Email));
}
