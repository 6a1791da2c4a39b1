using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using DeadlineAlerts.App.Api;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Storage.Audit;
using DeadlineAlerts.Storage.Records;
using NodaTime;

namespace DeadlineAlerts.App.Records;

/// <summary>
/// A stored record as <c>dla deadline show</c> prints it and <c>edit</c> opens it: the import format of one record
/// (what <c>dla import</c> reads and <c>dla export</c> writes, channel URLs redacted) and the ETag it was read with.
/// </summary>
public sealed record ShownRecord(string Kind, string Id, JsonObject Json, ETag ETag)
{
    /// <summary>The record as indented JSON, non-ASCII text as it is.</summary>
    public string Text => RecordJson.ReadableText(Json);

    /// <summary>The ETag as the API sends it (<see cref="ApiETag"/>), so one value serves <c>If-Match</c> and <c>dla ... --if-match</c>.</summary>
    public string HttpETag => ApiETag.Format(ETag);
}

/// <summary>
/// What an add or replace stored: the record, its new ETag, the one-line audit summary of the change
/// (<c>title: 'A' → 'B'</c>), the reader's warnings and the webhook secrets generated for it (shown once).
/// <see cref="Changed"/> is false when the record sent equals the stored one: nothing was written or audited and
/// <see cref="ETag"/> is the stored one's.
/// </summary>
public sealed record SavedRecord<T>(
    T Record, ETag ETag, string Summary, IReadOnlyList<string> Warnings,
    IReadOnlyList<(SubscriberId SubscriberId, ChannelId ChannelId, string Secret)> GeneratedSecrets)
{
    public bool Changed { get; init; } = true;
}

/// <summary>Why a change to one record was refused; nothing was written when it is thrown.</summary>
public abstract class RecordRefusedException(string kind, string id, string message) : Exception(message)
{
    public string Kind { get; } = kind;
    public string Id { get; } = id;
}

/// <summary>There is no such record (or it was deleted since it was read, which the message then says).</summary>
public sealed class RecordNotFoundException(string kind, string id, string? message = null)
    : RecordRefusedException(kind, id, message ?? $"There is no {kind} with id \"{id}\".");

/// <summary>An add named an id that is stored already.</summary>
public sealed class RecordExistsException(string kind, string id)
    : RecordRefusedException(kind, id, $"A {kind} with id \"{id}\" exists already; nothing was written.");

/// <summary>
/// A replace or delete carried an ETag that is no longer the stored one: someone changed the record since it was
/// read. <see cref="Current"/> is the record as stored now, so it can be shown and the change merged into it.
/// </summary>
public sealed class RecordChangedException<T>(string kind, string id, Stored<T> current, ShownRecord shown)
    : RecordRefusedException(kind, id, $"{kind} {id} was changed since it was read; nothing was written.")
{
    public Stored<T> Current { get; } = current;

    /// <summary><see cref="Current"/> in the import format, with its ETag.</summary>
    public ShownRecord Shown { get; } = shown;
}

/// <summary>
/// One record at a time: show, add, replace and delete a deadline (<see cref="DeadlineRecords"/>) or a subscriber
/// (<see cref="SubscriberRecords"/>), for the API's <c>/api/deadlines/{id}</c> routes and <c>dla deadline
/// show|add|edit|delete</c> alike. A record is read with the import's reader (the same rules, the same problems
/// naming record, field and fix); every write goes through <see cref="RecordWriter"/> (re-planned, audited with the
/// actor) and is conditional: add refuses an existing id, replace and delete carry the ETag the caller read and
/// are refused with the current record when it no longer matches, also when the change lands between this check
/// and the write (the table checks the ETag again).
/// </summary>
public abstract class SingleRecords<T>(RecordReader reader, IClock clock) where T : class
{
    /// <summary>"deadline" or "subscriber", as messages and the audit log name the kind.</summary>
    public abstract string Kind { get; }

    /// <summary>The import file's section for this kind ("deadlines").</summary>
    protected abstract string Section { get; }

    /// <summary>The record as <see cref="ShownRecord"/> shows it: the import format, secrets redacted.</summary>
    public abstract JsonObject Json(T record);

    protected abstract Task<Stored<T>?> GetAsync(string id, CancellationToken ct);
    public abstract string IdOf(T record);
    protected abstract T RecordOf(RecordSet read);
    protected abstract Task<ETag> InsertAsync(T record, CancellationToken ct);
    protected abstract Task<ETag> ReplaceStoredAsync(T record, ETag ifMatch, CancellationToken ct);
    protected abstract Task DeleteStoredAsync(string id, ETag ifMatch, CancellationToken ct);

    /// <summary>What the incoming record keeps of the stored one (<see cref="RecordWriter.KeepStoredState(Deadline, Deadline)"/>).</summary>
    protected abstract T KeepStoredState(T incoming, T stored, List<(SubscriberId SubscriberId, ChannelId ChannelId, string Secret)> generated);

    protected abstract bool Same(T stored, T incoming);

    /// <summary>The record's change through <see cref="RecordWriter"/>: before null is a creation, after null a deletion.</summary>
    protected abstract Task<RecordWrite<TResult>> WriteAsync<TResult>(T? before, T? after, string action, string actor,
        Func<CancellationToken, Task<TResult>> store, CancellationToken ct);

    /// <summary>How the reader finds the stored record of a redacted channel (subscribers only).</summary>
    protected virtual Func<string, Subscriber?>? StoredForReader(T? stored) => null;

    /// <summary>The stored record and its ETag; <see cref="RecordNotFoundException"/> when there is none.</summary>
    public async Task<Stored<T>> ReadAsync(string id, CancellationToken ct = default)
    {
        CheckId(id);
        return await GetAsync(id, ct) ?? throw new RecordNotFoundException(Kind, id);
    }

    public async Task<ShownRecord> ShowAsync(string id, CancellationToken ct = default) => Shown(await ReadAsync(id, ct));

    public ShownRecord Shown(Stored<T> stored) => new(Kind, IdOf(stored.Value), Json(stored.Value), stored.ETag);

    /// <summary>
    /// Reads one record in the import format (a JSON object, as <see cref="ShownRecord.Text"/> prints it; comments
    /// and trailing commas allowed as in a file) by reading <c>{"deadlines": [record]}</c> with the import's reader, so
    /// one record is accepted exactly when a file holding it would be. With <paramref name="id"/> the record may leave
    /// its id out but not give another. <paramref name="stored"/> lets a subscriber's redacted channels (sent back with
    /// their <c>id</c>) keep the stored URL and secret. Every problem is a <see cref="RecordValidationException"/>.
    /// </summary>
    public RecordSet Read(string json, string? id = null, T? stored = null)
    {
        var name = id is null ? Kind : $"{Kind} {id}";
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw Invalid(name, "JSON", null, $"cannot be read: {JsonError(e)}; give one {Kind} as a JSON object in the import format");
        }
        if (node is not JsonObject record)
            throw Invalid(name, "record", null, $"must be one {Kind} as a JSON object such as {{\"id\": \"...\", ...}}, in the import format");
        if (id is not null)
        {
            if (!record.ContainsKey("id")) record["id"] = id;
            else if (record["id"] is JsonValue v && v.TryGetValue<string>(out var given) && given != id)
                throw Invalid(name, "id", given, $"must be \"{id}\": an id cannot change (add the record under its new id, then delete this one)");
        }
        var file = new JsonObject { [Section] = new JsonArray(record) };
        return reader.ReadJson(file.ToJsonString(), clock.GetCurrentInstant(), StoredForReader(stored));
    }

    /// <summary>
    /// Stores a new record read from <paramref name="json"/> (see <see cref="Read"/>); <see cref="RecordExistsException"/>
    /// when its id is stored, checked before the record is validated (a record sent back as shown, redacted, names the
    /// existing one rather than its redacted channels) and again by the table's insert.
    /// </summary>
    public async Task<SavedRecord<T>> AddAsync(string json, string? id, string actor, CancellationToken ct = default)
    {
        if (id is not null) CheckId(id);
        if ((id ?? PeekId(json)) is { } given && RecordId.Problem(given) is null && await GetAsync(given, ct) is not null)
            throw new RecordExistsException(Kind, given);
        var set = Read(json, id);
        var record = RecordOf(set);
        var recordId = IdOf(record);
        if (await GetAsync(recordId, ct) is not null) throw new RecordExistsException(Kind, recordId);
        try
        {
            var write = await WriteAsync(null, record, AuditAction.Created, actor, c => InsertAsync(record, c), ct);
            return new SavedRecord<T>(record, write.Result, AuditEntries.Summary(null, Json(record)), set.Warnings, set.GeneratedSecrets);
        }
        catch (RequestFailedException e) when (e.Status == 409) { throw new RecordExistsException(Kind, recordId); }
    }

    /// <summary>Replaces record <paramref name="id"/> with <paramref name="json"/> if it is still as read with <paramref name="ifMatch"/>.</summary>
    public async Task<SavedRecord<T>> ReplaceAsync(string id, string json, ETag ifMatch, string actor, CancellationToken ct = default) =>
        await ReplaceAsync(await ReadAsync(id, ct), json, ifMatch, actor, ct);

    /// <summary>
    /// Replaces <paramref name="stored"/> (just read) with <paramref name="json"/> when <paramref name="ifMatch"/> is its
    /// ETag (or <see cref="ETag.All"/>); otherwise, or when the record changes before the write lands,
    /// <see cref="RecordChangedException{T}"/> with the current record (<see cref="RecordNotFoundException"/> if it was
    /// deleted). The ETag is checked before the record is read, so a stale edit is refused as stale even when invalid.
    /// A record equal to the stored one writes nothing and leaves no audit entry.
    /// </summary>
    public async Task<SavedRecord<T>> ReplaceAsync(Stored<T> stored, string json, ETag ifMatch, string actor, CancellationToken ct = default)
    {
        var id = IdOf(stored.Value);
        if (ifMatch != ETag.All && ifMatch != stored.ETag) throw Changed(stored);
        var set = Read(json, id, stored.Value);
        var generated = set.GeneratedSecrets.ToList();
        var record = KeepStoredState(RecordOf(set), stored.Value, generated);
        if (Same(stored.Value, record))
            return new SavedRecord<T>(stored.Value, stored.ETag, AuditEntries.Summary(Json(stored.Value), Json(record)), set.Warnings, []) { Changed = false };
        try
        {
            var write = await WriteAsync(stored.Value, record, AuditAction.Updated, actor, c => ReplaceStoredAsync(record, stored.ETag, c), ct);
            return new SavedRecord<T>(record, write.Result, AuditEntries.Summary(Json(stored.Value), Json(record)), set.Warnings, generated);
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412) { throw await ChangedMeanwhileAsync(id, ct); }
    }

    /// <summary>Deletes record <paramref name="id"/> if it is still as read with <paramref name="ifMatch"/>.</summary>
    public async Task DeleteAsync(string id, ETag ifMatch, string actor, CancellationToken ct = default) =>
        await DeleteAsync(await ReadAsync(id, ct), ifMatch, actor, ct);

    /// <summary>Deletes <paramref name="stored"/> under the same ETag rule as <see cref="ReplaceAsync(Stored{T}, string, ETag, string, CancellationToken)"/>;
    /// the audit entry keeps its last state.</summary>
    public async Task DeleteAsync(Stored<T> stored, ETag ifMatch, string actor, CancellationToken ct = default)
    {
        var id = IdOf(stored.Value);
        if (ifMatch != ETag.All && ifMatch != stored.ETag) throw Changed(stored);
        try
        {
            await WriteAsync(stored.Value, null, AuditAction.Deleted, actor, async c => { await DeleteStoredAsync(id, stored.ETag, c); return true; }, ct);
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412) { throw await ChangedMeanwhileAsync(id, ct); }
    }

    private RecordChangedException<T> Changed(Stored<T> current) => new(Kind, IdOf(current.Value), current, Shown(current));

    /// <summary>The table refused a conditional write: the record was changed or deleted since it was read.</summary>
    private async Task<RecordRefusedException> ChangedMeanwhileAsync(string id, CancellationToken ct) =>
        await GetAsync(id, ct) is { } now
            ? Changed(now)
            : new RecordNotFoundException(Kind, id, $"{Kind} {id} was deleted since it was read; nothing was written.");

    /// <summary>An id typed on a command line or in a URL: refused before it reaches storage when it cannot be an id.</summary>
    private void CheckId(string id)
    {
        if (RecordId.Problem(id) is { } problem) throw Invalid(Kind, "id", id, problem);
    }

    private static RecordValidationException Invalid(string record, string field, string? value, string message) =>
        new([new RecordProblem(record, field, value, message)]);

    /// <summary>"'x' is an invalid start of a value (line 3)": the parser's sentence with a 1-based line.</summary>
    private static string JsonError(JsonException e)
    {
        var text = e.Message;
        var cut = text.IndexOf(" Path:", StringComparison.Ordinal) is >= 0 and var p ? p : text.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut >= 0) text = text[..cut];
        return e.LineNumber is { } line ? $"{text.TrimEnd('.', ' ')} (line {line + 1})" : text.TrimEnd('.', ' ');
    }

    /// <summary>The id a JSON text names, read before validation; null when it cannot be read.</summary>
    private static string? PeekId(string json)
    {
        try
        {
            return JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip })
                is JsonObject o && o["id"] is JsonValue v && v.TryGetValue<string>(out var id) ? id.Trim() : null;
        }
        catch (JsonException) { return null; }
    }
}

/// <summary>Deadlines one at a time (see <see cref="SingleRecords{T}"/>).</summary>
public sealed class DeadlineRecords(RecordStore records, RecordWriter writer, RecordReader reader, IClock clock)
    : SingleRecords<Deadline>(reader, clock)
{
    public override string Kind => AuditEntries.DeadlineKind;
    protected override string Section => "deadlines";
    public override JsonObject Json(Deadline record) => RecordJson.Deadline(record);
    protected override Task<Stored<Deadline>?> GetAsync(string id, CancellationToken ct) => records.GetDeadlineAsync(id, ct);
    public override string IdOf(Deadline record) => record.Id.Value;
    protected override Deadline RecordOf(RecordSet read) => read.Deadlines.Single();
    protected override Task<ETag> InsertAsync(Deadline record, CancellationToken ct) => records.InsertDeadlineAsync(record, ct);
    protected override Task<ETag> ReplaceStoredAsync(Deadline record, ETag ifMatch, CancellationToken ct) => records.ReplaceDeadlineAsync(record, ifMatch, ct);
    protected override Task DeleteStoredAsync(string id, ETag ifMatch, CancellationToken ct) => records.DeleteDeadlineAsync(id, ifMatch, ct);

    protected override Deadline KeepStoredState(Deadline incoming, Deadline stored, List<(SubscriberId SubscriberId, ChannelId ChannelId, string Secret)> generated) =>
        RecordWriter.KeepStoredState(incoming, stored);

    protected override bool Same(Deadline stored, Deadline incoming) => RecordWriter.Same(stored, incoming);

    protected override Task<RecordWrite<TResult>> WriteAsync<TResult>(Deadline? before, Deadline? after, string action, string actor,
        Func<CancellationToken, Task<TResult>> store, CancellationToken ct) =>
        writer.WriteAsync([new DeadlineChange(before, after, action)], [], actor, store, ct: ct);
}

/// <summary>
/// Subscribers one at a time (see <see cref="SingleRecords{T}"/>). Shown with channel URLs redacted and each
/// channel's <c>id</c>; sent back that way a channel keeps its stored URL and secret, so an edit of the name never
/// needs the secrets. A webhook channel added without a secret gets one, in <see cref="SavedRecord{T}.GeneratedSecrets"/>.
/// </summary>
public sealed class SubscriberRecords(RecordStore records, RecordWriter writer, RecordReader reader, IClock clock)
    : SingleRecords<Subscriber>(reader, clock)
{
    public override string Kind => AuditEntries.SubscriberKind;
    protected override string Section => "subscribers";
    public override JsonObject Json(Subscriber record) => RecordJson.Subscriber(record, includeSecrets: false);
    protected override Task<Stored<Subscriber>?> GetAsync(string id, CancellationToken ct) => records.GetSubscriberAsync(id, ct);
    public override string IdOf(Subscriber record) => record.Id.Value;
    protected override Subscriber RecordOf(RecordSet read) => read.Subscribers.Single();
    protected override Task<ETag> InsertAsync(Subscriber record, CancellationToken ct) => records.InsertSubscriberAsync(record, ct);
    protected override Task<ETag> ReplaceStoredAsync(Subscriber record, ETag ifMatch, CancellationToken ct) => records.ReplaceSubscriberAsync(record, ifMatch, ct);
    protected override Task DeleteStoredAsync(string id, ETag ifMatch, CancellationToken ct) => records.DeleteSubscriberAsync(id, ifMatch, ct);

    protected override Subscriber KeepStoredState(Subscriber incoming, Subscriber stored, List<(SubscriberId SubscriberId, ChannelId ChannelId, string Secret)> generated) =>
        RecordWriter.KeepStoredState(incoming, stored, generated);

    protected override bool Same(Subscriber stored, Subscriber incoming) => RecordWriter.Same(stored, incoming);

    protected override Func<string, Subscriber?>? StoredForReader(Subscriber? stored) =>
        stored is null ? null : id => id == stored.Id.Value ? stored : null;

    protected override Task<RecordWrite<TResult>> WriteAsync<TResult>(Subscriber? before, Subscriber? after, string action, string actor,
        Func<CancellationToken, Task<TResult>> store, CancellationToken ct) =>
        writer.WriteAsync([], [new SubscriberChange(before, after, action)], actor, store, ct: ct);
}
