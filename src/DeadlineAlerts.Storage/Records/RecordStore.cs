using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Azure.Data.Tables;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Schedule;
using DeadlineAlerts.Core.Time;
using NodaTime;
using NodaTime.Text;

namespace DeadlineAlerts.Storage.Records;

/// <summary>A stored record and the ETag it was read with (for optimistic concurrency).</summary>
public sealed record Stored<T>(T Value, ETag ETag);

/// <summary>
/// Deadlines and subscribers in Table Storage, one partition each (so a file's records can be written in
/// entity-group transactions: all of a batch or none of it).
/// </summary>
public sealed class RecordStore(StorageClients clients)
{
    public const string DeadlinePartition = "deadline";
    public const string SubscriberPartition = "subscriber";

    private TableClient Deadlines => clients.Table(clients.Names.Deadlines);
    private TableClient Subscribers => clients.Table(clients.Names.Subscribers);

    public async Task<Stored<Deadline>?> GetDeadlineAsync(string id, CancellationToken ct = default)
    {
        var r = await Deadlines.GetEntityIfExistsAsync<TableEntity>(DeadlinePartition, id, cancellationToken: ct);
        return r.HasValue ? new Stored<Deadline>(RecordEntities.ToDeadline(r.Value!), r.Value!.ETag) : null;
    }

    public async Task<Stored<Subscriber>?> GetSubscriberAsync(string id, CancellationToken ct = default)
    {
        var r = await Subscribers.GetEntityIfExistsAsync<TableEntity>(SubscriberPartition, id, cancellationToken: ct);
        return r.HasValue ? new Stored<Subscriber>(RecordEntities.ToSubscriber(r.Value!), r.Value!.ETag) : null;
    }

    public async Task<List<Deadline>> ListDeadlinesAsync(CancellationToken ct = default)
    {
        var list = new List<Deadline>();
        await foreach (var e in Deadlines.QueryAsync<TableEntity>(x => x.PartitionKey == DeadlinePartition, cancellationToken: ct))
            list.Add(RecordEntities.ToDeadline(e));
        return list;
    }

    public async Task<List<Subscriber>> ListSubscribersAsync(CancellationToken ct = default)
    {
        var list = new List<Subscriber>();
        await foreach (var e in Subscribers.QueryAsync<TableEntity>(x => x.PartitionKey == SubscriberPartition, cancellationToken: ct))
            list.Add(RecordEntities.ToSubscriber(e));
        return list;
    }

    /// <summary>Writes records in entity-group transactions (100 per round trip, atomic per batch).</summary>
    public async Task UpsertAsync(IReadOnlyCollection<Deadline> deadlines, IReadOnlyCollection<Subscriber> subscribers, CancellationToken ct = default)
    {
        if (deadlines.Count > 0)
            await TableBatches.SubmitAsync(Deadlines, deadlines.Select(d =>
                new TableTransactionAction(TableTransactionActionType.UpsertReplace, RecordEntities.From(d))), ct);
        if (subscribers.Count > 0)
            await TableBatches.SubmitAsync(Subscribers, subscribers.Select(s =>
                new TableTransactionAction(TableTransactionActionType.UpsertReplace, RecordEntities.From(s))), ct);
    }

    // Single-record writes for the API and the milestone commands. Each is conditional: Insert fails with
    // 409 if the id exists; Replace and Delete fail with 412 if the record changed since it was read with
    // ifMatch (pass ETag.All to skip the check) and with 404 if it is gone. Returns the new ETag.

    public async Task<ETag> InsertDeadlineAsync(Deadline d, CancellationToken ct = default) =>
        (await Deadlines.AddEntityAsync(RecordEntities.From(d), ct)).Headers.ETag ?? default;

    public async Task<ETag> ReplaceDeadlineAsync(Deadline d, ETag ifMatch, CancellationToken ct = default) =>
        (await Deadlines.UpdateEntityAsync(RecordEntities.From(d), ifMatch, TableUpdateMode.Replace, ct)).Headers.ETag ?? default;

    public async Task DeleteDeadlineAsync(string id, ETag ifMatch, CancellationToken ct = default) =>
        await Deadlines.DeleteEntityAsync(DeadlinePartition, id, ifMatch, ct);

    public async Task<ETag> InsertSubscriberAsync(Subscriber s, CancellationToken ct = default) =>
        (await Subscribers.AddEntityAsync(RecordEntities.From(s), ct)).Headers.ETag ?? default;

    public async Task<ETag> ReplaceSubscriberAsync(Subscriber s, ETag ifMatch, CancellationToken ct = default) =>
        (await Subscribers.UpdateEntityAsync(RecordEntities.From(s), ifMatch, TableUpdateMode.Replace, ct)).Headers.ETag ?? default;

    public async Task DeleteSubscriberAsync(string id, ETag ifMatch, CancellationToken ct = default) =>
        await Subscribers.DeleteEntityAsync(SubscriberPartition, id, ifMatch, ct);

    /// <summary>
    /// Marks one channel of a subscriber as broken (Slack said the channel is archived, and the like). Returns
    /// the subscriber before and after, or null when there was nothing to change (the subscriber or channel is
    /// gone, or the channel was already marked with this reason), so the caller audits only real changes.
    /// </summary>
    public async Task<(Subscriber Before, Subscriber After)?> MarkChannelBrokenAsync(string subscriberId, string channelId, string reason, CancellationToken ct = default)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var stored = await GetSubscriberAsync(subscriberId, ct);
            if (stored is null || stored.Value.Channels.All(c => c.Id != channelId || c.BrokenReason == reason)) return null;
            var after = stored.Value with
            {
                Channels = stored.Value.Channels.Select(c => c.Id == channelId ? c with { BrokenReason = reason } : c).ToList(),
            };
            try
            {
                await Subscribers.UpdateEntityAsync(RecordEntities.From(after), stored.ETag, TableUpdateMode.Replace, ct);
                return (stored.Value, after);
            }
            catch (RequestFailedException e) when (e.Status == 412) { }
        }
        return null;
    }
}

/// <summary>Record ⇄ entity mapping. Times are stored as ISO text (exact, readable in Storage Explorer).</summary>
public static class RecordEntities
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static TableEntity From(Deadline d) => new(RecordStore.DeadlinePartition, d.Id)
    {
        ["Title"] = d.Title,
        ["DueLocal"] = d.Due.LocalText,
        ["TimeZone"] = d.Due.Zone.Id,
        ["DueInstant"] = Iso(d.Due.Instant),
        ["Category"] = d.Category,
        ["LeadTimes"] = string.Join(' ', d.LeadTimes.Select(l => l.Text)),
        ["Source"] = d.Source,
        ["Notes"] = d.Notes,
        ["Status"] = d.Status.ToString(),
        ["ArmedAt"] = Iso(d.ArmedAt),
        ["History"] = d.History.Count == 0 ? null : new JsonArray(d.History.Select(h => (JsonNode)h.ToJson()).ToArray()).ToJsonString(),
    };

    public static Deadline ToDeadline(TableEntity e)
    {
        var zone = Zones.Find(e.GetString("TimeZone")) ?? DateTimeZone.Utc;
        var local = LocalDateTimePattern.ExtendedIso.Parse(e.GetString("DueLocal")).Value;
        return new Deadline
        {
            Id = e.RowKey,
            Title = e.GetString("Title") ?? "",
            Due = DueTime.FromStored(local, zone, ParseInstant(e.GetString("DueInstant"))),
            Category = e.GetString("Category"),
            LeadTimes = Leads(e.GetString("LeadTimes")),
            Source = e.GetString("Source"),
            Notes = e.GetString("Notes"),
            Status = Enum.TryParse<DeadlineStatus>(e.GetString("Status"), out var s) ? s : DeadlineStatus.Active,
            ArmedAt = ParseInstant(e.GetString("ArmedAt")),
            History = e.GetString("History") is { Length: > 0 } history
                ? JsonNode.Parse(history)!.AsArray().Select(h => HistoryEntry.FromJson(h!)).ToList()
                : [],
        };
    }

    public static TableEntity From(Subscriber s) => new(RecordStore.SubscriberPartition, s.Id)
    {
        ["Name"] = s.Name,
        ["TimeZone"] = s.TimeZone?.Id,
        ["Categories"] = JsonSerializer.Serialize(s.Categories, Json),
        ["Deadlines"] = JsonSerializer.Serialize(s.DeadlineIds, Json),
        ["LeadTimes"] = string.Join(' ', s.LeadTimes.Select(l => l.Text)),
        ["Channels"] = JsonSerializer.Serialize(s.Channels.Select(c => new StoredChannel(c.Type, c.Target, c.Secret, c.BrokenReason)), Json),
        ["CreatedAt"] = Iso(s.CreatedAt),
        ["QuietHours"] = s.QuietHours is { } q ? $"{q.FromText}-{q.ToText}" + (q.UrgentPassesThrough ? "" : " held") : null,
        ["Digest"] = s.Digest?.Stored,
    };

    public static Subscriber ToSubscriber(TableEntity e) => new()
    {
        Id = e.RowKey,
        Name = e.GetString("Name") ?? "",
        TimeZone = Zones.Find(e.GetString("TimeZone")),
        Categories = JsonSerializer.Deserialize<List<string>>(e.GetString("Categories") ?? "[]", Json) ?? [],
        DeadlineIds = JsonSerializer.Deserialize<List<string>>(e.GetString("Deadlines") ?? "[]", Json) ?? [],
        LeadTimes = Leads(e.GetString("LeadTimes")),
        Channels = (JsonSerializer.Deserialize<List<StoredChannel>>(e.GetString("Channels") ?? "[]", Json) ?? [])
            .Select(c => new ChannelSpec { Type = c.Type, Target = c.Target, Secret = c.Secret, BrokenReason = c.Broken }).ToList(),
        CreatedAt = ParseInstant(e.GetString("CreatedAt")),
        QuietHours = Quiet(e.GetString("QuietHours")),
        Digest = DigestChoice.FromStored(e.GetString("Digest")),
    };

    /// <summary>"22:00-07:00", with " held" when urgent messages wait too.</summary>
    private static QuietHours? Quiet(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var parts = text.Split(' ', 2);
        var times = parts[0].Split('-');
        return QuietHours.ParseTime(times[0]) is { } from && QuietHours.ParseTime(times[1]) is { } to
            ? new QuietHours(from, to, UrgentPassesThrough: parts.Length == 1)
            : null;
    }

    private sealed record StoredChannel(string Type, string Target, string? Secret, string? Broken);

    private static IReadOnlyList<LeadTime> Leads(string? text) =>
        string.IsNullOrWhiteSpace(text) ? [] : text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(LeadTime.Parse).ToList();

    public static string Iso(Instant i) => InstantPattern.ExtendedIso.Format(i);
    public static Instant ParseInstant(string? text) => text is null ? Instant.MinValue : InstantPattern.ExtendedIso.Parse(text).Value;
}
