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
/// Deadlines and subscribers in Table Storage, each spread over <see cref="KeyShards.Count"/> partitions by a
/// stable hash of the id (<c>deadline-07</c>, <c>subscriber-1f</c>): a tick that reads a million subscribers, or an
/// import that writes them, loads 32 partitions at Azure's 2,000 entities/s each instead of one. A file's records
/// are still written in entity-group transactions, one per shard and 100 records.
/// </summary>
public sealed class RecordStore(StorageClients clients)
{
    public static string DeadlinePartition(DeadlineId id) => "deadline" + KeyShards.Suffix(id.Value);
    public static string SubscriberPartition(SubscriberId id) => "subscriber" + KeyShards.Suffix(id.Value);

    /// <summary>Every shard of one kind: "deadline-00" … "deadline-1f" sort between "deadline-" and "deadline.".</summary>
    private static string AllShardsOf(string kind) => TableClient.CreateQueryFilter($"PartitionKey ge {kind + "-"} and PartitionKey lt {kind + "."}");

    private TableClient Deadlines => clients.Table(clients.Names.Deadlines);
    private TableClient Subscribers => clients.Table(clients.Names.Subscribers);

    /// <summary>The deadline, or null if there is none; an unreadable one is an <see cref="UnreadableRecordException"/> naming it.</summary>
    public async Task<Stored<Deadline>?> GetDeadlineAsync(DeadlineId id, CancellationToken ct = default)
    {
        var r = await Deadlines.GetEntityIfExistsAsync<TableEntity>(DeadlinePartition(id), id.Value, cancellationToken: ct);
        if (!r.HasValue) return null;
        var read = RecordEntities.ReadDeadline(r.Value!);
        return read.Value is { } d ? new Stored<Deadline>(d, r.Value!.ETag) : throw new UnreadableRecordException(read.Problem!);
    }

    public async Task<Stored<Subscriber>?> GetSubscriberAsync(SubscriberId id, CancellationToken ct = default)
    {
        var r = await Subscribers.GetEntityIfExistsAsync<TableEntity>(SubscriberPartition(id), id.Value, cancellationToken: ct);
        if (!r.HasValue) return null;
        var read = RecordEntities.ReadSubscriber(r.Value!);
        return read.Value is { } s ? new Stored<Subscriber>(s, r.Value!.ETag) : throw new UnreadableRecordException(read.Problem!);
    }

    /// <summary>The deadline, missing, or why it cannot be read: for the pipeline, which sets a bad record aside.</summary>
    public async Task<RecordRead<Deadline>> ReadDeadlineAsync(DeadlineId id, CancellationToken ct = default)
    {
        var r = await Deadlines.GetEntityIfExistsAsync<TableEntity>(DeadlinePartition(id), id.Value, cancellationToken: ct);
        return r.HasValue ? RecordEntities.ReadDeadline(r.Value!) : RecordRead<Deadline>.Missing;
    }

    public async Task<RecordRead<Subscriber>> ReadSubscriberAsync(SubscriberId id, CancellationToken ct = default)
    {
        var r = await Subscribers.GetEntityIfExistsAsync<TableEntity>(SubscriberPartition(id), id.Value, cancellationToken: ct);
        return r.HasValue ? RecordEntities.ReadSubscriber(r.Value!) : RecordRead<Subscriber>.Missing;
    }

    /// <summary>Every readable deadline; unreadable ones are left out.</summary>
    public Task<List<Deadline>> ListDeadlinesAsync(CancellationToken ct = default) => ListDeadlinesAsync(null, ct);

    /// <summary>Every readable deadline; unreadable ones are left out and added to <paramref name="unreadable"/> when given.</summary>
    public async Task<List<Deadline>> ListDeadlinesAsync(List<UnreadableRecord>? unreadable, CancellationToken ct)
    {
        var list = new List<Deadline>();
        await foreach (var e in Deadlines.QueryAsync<TableEntity>(AllShardsOf("deadline"), cancellationToken: ct))
        {
            var read = RecordEntities.ReadDeadline(e);
            if (read.Value is { } d) list.Add(d); else unreadable?.Add(read.Problem!);
        }
        return list;
    }

    /// <summary>Every readable subscriber; unreadable ones are left out.</summary>
    public Task<List<Subscriber>> ListSubscribersAsync(CancellationToken ct = default) => ListSubscribersAsync(null, ct);

    /// <summary>Every readable subscriber; unreadable ones are left out and added to <paramref name="unreadable"/> when given.</summary>
    public async Task<List<Subscriber>> ListSubscribersAsync(List<UnreadableRecord>? unreadable, CancellationToken ct)
    {
        var list = new List<Subscriber>();
        await foreach (var e in Subscribers.QueryAsync<TableEntity>(AllShardsOf("subscriber"), cancellationToken: ct))
        {
            var read = RecordEntities.ReadSubscriber(e);
            if (read.Value is { } s) list.Add(s); else unreadable?.Add(read.Problem!);
        }
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

    public async Task DeleteDeadlineAsync(DeadlineId id, ETag ifMatch, CancellationToken ct = default) =>
        await Deadlines.DeleteEntityAsync(DeadlinePartition(id), id.Value, ifMatch, ct);

    public async Task<ETag> InsertSubscriberAsync(Subscriber s, CancellationToken ct = default) =>
        (await Subscribers.AddEntityAsync(RecordEntities.From(s), ct)).Headers.ETag ?? default;

    public async Task<ETag> ReplaceSubscriberAsync(Subscriber s, ETag ifMatch, CancellationToken ct = default) =>
        (await Subscribers.UpdateEntityAsync(RecordEntities.From(s), ifMatch, TableUpdateMode.Replace, ct)).Headers.ETag ?? default;

    public async Task DeleteSubscriberAsync(SubscriberId id, ETag ifMatch, CancellationToken ct = default) =>
        await Subscribers.DeleteEntityAsync(SubscriberPartition(id), id.Value, ifMatch, ct);

    /// <summary>
    /// Marks one channel of a subscriber as broken (Slack said the channel is archived, and the like). Returns
    /// the subscriber before and after, or null when there was nothing to change (the subscriber or channel is
    /// gone, or the channel was already marked with this reason), so the caller audits only real changes.
    /// </summary>
    public async Task<(Subscriber Before, Subscriber After)?> MarkChannelBrokenAsync(SubscriberId subscriberId, ChannelId channelId, string reason, CancellationToken ct = default)
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

    public static TableEntity From(Deadline d) => new(RecordStore.DeadlinePartition(d.Id), d.Id.Value)
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
        ["Recurrence"] = d.Recurrence?.Text,
        ["ArmedAt"] = Iso(d.ArmedAt),
        ["History"] = d.History.Count == 0 ? null : new JsonArray(d.History.Select(h => (JsonNode)h.ToJson()).ToArray()).ToJsonString(),
    };

    /// <summary>Reads a stored deadline field by field; the first field that cannot be read names the problem.
    /// An unknown zone is a problem, never UTC.</summary>
    public static RecordRead<Deadline> ReadDeadline(TableEntity e)
    {
        var id = e.RowKey;
        RecordRead<Deadline> Bad(string field, string problem) => RecordRead<Deadline>.Bad(new UnreadableRecord("deadline", id, field, problem));
        var zoneId = e.GetString("TimeZone");
        if (string.IsNullOrWhiteSpace(zoneId)) return Bad("TimeZone", "is missing");
        if (Zones.Find(zoneId) is not { } zone) return Bad("TimeZone", $"\"{Shown(zoneId)}\" is not a time zone id of the tz data in use ({Zones.Tzdb.VersionId})");
        var dueLocal = e.GetString("DueLocal");
        if (string.IsNullOrWhiteSpace(dueLocal)) return Bad("DueLocal", "is missing");
        var local = LocalDateTimePattern.ExtendedIso.Parse(dueLocal);
        if (!local.Success) return Bad("DueLocal", $"\"{Shown(dueLocal)}\" is not a local date-time such as 2025-08-12T00:01");
        if (TryInstant(e, "DueInstant", required: true, out var dueInstant) is { } dueProblem) return Bad("DueInstant", dueProblem);
        if (TryInstant(e, "ArmedAt", required: false, out var armedAt) is { } armedProblem) return Bad("ArmedAt", armedProblem);
        if (TryLeads(e.GetString("LeadTimes"), out var leads) is { } leadProblem) return Bad("LeadTimes", leadProblem);
        var statusText = e.GetString("Status");
        var status = DeadlineStatus.Active;
        if (!string.IsNullOrEmpty(statusText) && (!Enum.TryParse(statusText, ignoreCase: true, out status) || int.TryParse(statusText, out _)))
            return Bad("Status", $"\"{Shown(statusText)}\" is not one of Active, Resolved, Cancelled");
        Recurrence? recurrence = null;
        if (e.GetString("Recurrence") is { Length: > 0 } ruleText)
        {
            if (Recurrence.ShapeProblem(ruleText, out recurrence) is { } ruleProblem)
                return Bad("Recurrence", $"\"{Shown(ruleText)}\" {ruleProblem}");
        }
        List<HistoryEntry> history = [];
        if (e.GetString("History") is { Length: > 0 } historyText)
        {
            try { history = JsonNode.Parse(historyText)!.AsArray().Select(h => HistoryEntry.FromJson(h!)).ToList(); }
            catch (Exception x) when (x is JsonException or FormatException or InvalidOperationException or NullReferenceException or ArgumentException)
            {
                return Bad("History", "is not the JSON list of changes this version writes");
            }
        }
        return RecordRead<Deadline>.Ok(new Deadline
        {
            Id = id,
            Title = e.GetString("Title") ?? "",
            Due = DueTime.FromStored(local.Value, zone, dueInstant),
            Category = e.GetString("Category"),
            LeadTimes = leads,
            Source = e.GetString("Source"),
            Notes = e.GetString("Notes"),
            Status = status,
            Recurrence = recurrence,
            ArmedAt = armedAt,
            History = history,
        });
    }

    /// <summary>
    /// What Table Storage would refuse in the row of <paramref name="record"/>, measured as the service measures it
    /// (strings are UTF-16: 2 bytes a character; a property at most 64 KiB; an entity at most 1 MiB counting keys,
    /// names and 4 + 8 bytes of overhead per value), named by the record and the import field the column holds. The
    /// reader's per-field limits keep a record well inside these; this catches what they cannot see: the JSON
    /// columns (categories, followed deadlines, channels) with their escaping, and history grown by extend.
    /// </summary>
    public static IReadOnlyList<RecordProblem> SizeProblems(Deadline record) => SizeProblems(From(record), $"deadline {record.Id}");

    public static IReadOnlyList<RecordProblem> SizeProblems(Subscriber record) => SizeProblems(From(record), $"subscriber {record.Id}");

    private static List<RecordProblem> SizeProblems(TableEntity e, string name)
    {
        var problems = new List<RecordProblem>();
        var total = 4 + 2L * (e.PartitionKey.Length + e.RowKey.Length);
        foreach (var (column, value) in e)
        {
            if (column is "PartitionKey" or "RowKey" or "odata.etag" or "Timestamp" || value is null) continue;
            var bytes = value is string text ? 4 + 2L * text.Length : 8;
            total += 8 + 2L * column.Length + bytes;
            if (value is string t && 2L * t.Length > TextRules.Limits.PropertyBytes)
                problems.Add(new RecordProblem(name, FieldOf(column), null,
                    $"takes {2L * t.Length:N0} bytes as stored ({column} column, UTF-16{(column is "Categories" or "Deadlines" or "Channels" or "History" ? ", as JSON" : "")}); " +
                    $"Table Storage holds at most {TextRules.Limits.PropertyBytes:N0} bytes in one property; " +
                    (column == "History" ? "the deadline has too many changes with long reasons to record another" : "shorten it or give fewer entries")));
        }
        if (total > TextRules.Limits.EntityBytes)
            problems.Add(new RecordProblem(name, "record", null,
                $"takes {total:N0} bytes as stored; Table Storage holds at most {TextRules.Limits.EntityBytes:N0} bytes in one record; shorten its longest fields"));
        return problems;
    }

    /// <summary>The import field a column holds (columns are the field names capitalised, except these).</summary>
    private static string FieldOf(string column) => column switch
    {
        "DueLocal" or "DueInstant" => "due",
        "TimeZone" => "timeZone",
        "LeadTimes" => "leadTimes",
        "QuietHours" => "quietHours",
        _ => char.ToLowerInvariant(column[0]) + column[1..],
    };

    /// <summary>For callers that hold a row they just wrote: throws <see cref="UnreadableRecordException"/> on a bad one.</summary>
    public static Deadline ToDeadline(TableEntity e) => ReadDeadline(e) is var r && r.Value is { } d ? d : throw new UnreadableRecordException(r.Problem!);

    public static TableEntity From(Subscriber s) => new(RecordStore.SubscriberPartition(s.Id), s.Id.Value)
    {
        ["Name"] = s.Name,
        ["TimeZone"] = s.TimeZone?.Id,
        ["Locale"] = s.Locale?.Name,
        ["Categories"] = JsonSerializer.Serialize(s.Categories, Json),
        ["Deadlines"] = JsonSerializer.Serialize(s.DeadlineIds, Json),
        ["LeadTimes"] = string.Join(' ', s.LeadTimes.Select(l => l.Text)),
        ["Channels"] = JsonSerializer.Serialize(s.Channels.Select(c => new StoredChannel(c.Type, c.Target, c.Secret, c.BrokenReason)), Json),
        ["CreatedAt"] = Iso(s.CreatedAt),
        ["QuietHours"] = s.QuietHours is { } q ? $"{q.FromText}-{q.ToText}" + (q.UrgentPassesThrough ? "" : " held") : null,
        ["Digest"] = s.Digest?.Stored,
        ["PausedUntil"] = s.PausedUntil is { } until ? Iso(until) : null,
        ["PausedSince"] = s.PausedUntil is not null && s.PausedSince is { } since ? Iso(since) : null,
    };

    public static RecordRead<Subscriber> ReadSubscriber(TableEntity e)
    {
        var id = e.RowKey;
        RecordRead<Subscriber> Bad(string field, string problem) => RecordRead<Subscriber>.Bad(new UnreadableRecord("subscriber", id, field, problem));
        var zoneId = e.GetString("TimeZone");
        DateTimeZone? zone = null;
        if (!string.IsNullOrWhiteSpace(zoneId) && (zone = Zones.Find(zoneId)) is null)
            return Bad("TimeZone", $"\"{Shown(zoneId)}\" is not a time zone id of the tz data in use ({Zones.Tzdb.VersionId})");
        var localeTag = e.GetString("Locale");
        System.Globalization.CultureInfo? locale = null;
        if (!string.IsNullOrWhiteSpace(localeTag) && (locale = Locales.Find(localeTag)) is null)
            return Bad("Locale", $"\"{Shown(localeTag)}\" {Locales.Problem(localeTag)}");
        if (TryJson<List<string>>(e.GetString("Categories"), out var categories) is { } cp) return Bad("Categories", cp);
        if (TryJson<List<string>>(e.GetString("Deadlines"), out var deadlineIds) is { } dp) return Bad("Deadlines", dp);
        if (TryJson<List<StoredChannel>>(e.GetString("Channels"), out var channels) is { } chp) return Bad("Channels", chp);
        if (channels.Any(c => string.IsNullOrWhiteSpace(c?.Type) || c.Target is null)) return Bad("Channels", "has a channel without a type or target");
        if (TryLeads(e.GetString("LeadTimes"), out var leads) is { } lp) return Bad("LeadTimes", lp);
        if (TryInstant(e, "CreatedAt", required: false, out var createdAt) is { } crp) return Bad("CreatedAt", crp);
        if (TryInstant(e, "PausedUntil", required: false, out var pausedUntil) is { } pup) return Bad("PausedUntil", pup);
        if (TryInstant(e, "PausedSince", required: false, out var pausedSince) is { } psp) return Bad("PausedSince", psp);
        var paused = e.GetString("PausedUntil") is not null;
        var quietText = e.GetString("QuietHours");
        var quiet = Quiet(quietText);
        if (!string.IsNullOrWhiteSpace(quietText) && quiet is null) return Bad("QuietHours", $"\"{Shown(quietText)}\" is not a period such as 22:00-07:00");
        DigestChoice? digest;
        try { digest = DigestChoice.FromStored(e.GetString("Digest")); }
        catch (Exception x) when (x is FormatException or IndexOutOfRangeException or ArgumentException or UnparsableValueException)
        {
            return Bad("Digest", $"\"{Shown(e.GetString("Digest"))}\" is not a digest such as \"week monday 08:00\"");
        }
        return RecordRead<Subscriber>.Ok(new Subscriber
        {
            Id = id,
            Name = e.GetString("Name") ?? "",
            TimeZone = zone,
            Locale = locale,
            Categories = categories,
            DeadlineIds = deadlineIds.Select(DeadlineId.From).ToList(),
            LeadTimes = leads,
            Channels = channels.Select(c => new ChannelSpec { Type = c.Type, Target = c.Target, Secret = c.Secret, BrokenReason = c.Broken }).ToList(),
            CreatedAt = createdAt,
            QuietHours = quiet,
            Digest = digest,
            PausedUntil = paused ? pausedUntil : null,
            PausedSince = paused && e.GetString("PausedSince") is not null ? pausedSince : null,
        });
    }

    public static Subscriber ToSubscriber(TableEntity e) => ReadSubscriber(e) is var r && r.Value is { } s ? s : throw new UnreadableRecordException(r.Problem!);

    /// <summary>A stored value as shown in a problem: cut short, control characters escaped. Record fields hold no secrets
    /// except channels, which are never shown.</summary>
    private static string Shown(string? text)
    {
        text ??= "";
        if (text.Length > 60) text = text[..60] + "…";
        return string.Concat(text.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
    }

    private static string? TryInstant(TableEntity e, string field, bool required, out Instant value)
    {
        value = Instant.MinValue;
        var text = e.GetString(field);
        if (text is null) return required ? "is missing" : null;
        if (TryParseInstant(text) is not { } parsed) return $"\"{Shown(text)}\" is not an ISO instant such as 2025-08-12T04:01:00Z";
        value = parsed;
        return null;
    }

    private static string? TryLeads(string? text, out IReadOnlyList<LeadTime> leads)
    {
        var list = new List<LeadTime>();
        leads = list;
        if (string.IsNullOrWhiteSpace(text)) return null;
        foreach (var token in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!LeadTime.TryParse(token, out var lead, out _)) return $"\"{Shown(text)}\" holds \"{Shown(token)}\", which is not an ISO 8601 duration such as P1D or PT1H";
            list.Add(lead);
        }
        return null;
    }

    private static string? TryJson<T>(string? text, out T value) where T : class, new()
    {
        value = new T();
        if (string.IsNullOrWhiteSpace(text)) return null;
        try
        {
            value = JsonSerializer.Deserialize<T>(text, Json) ?? new T();
            return null;
        }
        catch (JsonException) { return "is not the JSON this version writes"; }
    }

    /// <summary>"22:00-07:00", with " held" when urgent messages wait too.</summary>
    private static QuietHours? Quiet(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var parts = text.Split(' ', 2);
        var times = parts[0].Split('-');
        if (times.Length != 2) return null;
        return QuietHours.ParseTime(times[0]) is { } from && QuietHours.ParseTime(times[1]) is { } to
            ? new QuietHours(from, to, UrgentPassesThrough: parts.Length == 1)
            : null;
    }

    private sealed record StoredChannel(string Type, string Target, string? Secret, string? Broken);

    private static List<LeadTime> Leads(string? text) =>
        string.IsNullOrWhiteSpace(text) ? [] : text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(LeadTime.Parse).ToList();

    public static string Iso(Instant i) => InstantPattern.ExtendedIso.Format(i);
    public static Instant ParseInstant(string? text) => text is null ? Instant.MinValue : InstantPattern.ExtendedIso.Parse(text).Value;

    /// <summary>Null when the text is missing or not an ISO instant.</summary>
    public static Instant? TryParseInstant(string? text) => text is not null && InstantPattern.ExtendedIso.Parse(text) is { Success: true } r ? r.Value : null;
}
