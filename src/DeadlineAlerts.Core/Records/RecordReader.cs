using System.Security.Cryptography;
using System.Text.Json;
using DeadlineAlerts.Core.Schedule;
using DeadlineAlerts.Core.Time;
using NodaTime;

namespace DeadlineAlerts.Core.Records;

/// <summary>The records of one import file, validated, with the warnings the operator should read.</summary>
public sealed record RecordSet(IReadOnlyList<Deadline> Deadlines, IReadOnlyList<Subscriber> Subscribers, IReadOnlyList<string> Warnings)
{
    /// <summary>Webhook secrets that the reader generated because the record had none: printed once.</summary>
    public IReadOnlyList<(SubscriberId SubscriberId, ChannelId ChannelId, string Secret)> GeneratedSecrets { get; init; } = [];
}

/// <summary>
/// Reads the import format (see README "Import format"). Every problem in the file is collected, each
/// naming the record, the field, the bad value and what is accepted; a file with any problem yields none of
/// its records, so an import is all-or-nothing.
/// </summary>
public sealed class RecordReader(EndpointPolicy endpoints)
{
    /// <param name="storedSubscriber">Looks up the stored subscriber of an id, so that a channel sent back in
    /// the redacted form <see cref="RecordJson"/> writes (its <c>id</c>, with the redacted <c>url</c> or none)
    /// keeps the stored target and secret. Without it such a channel is refused, never stored as written.</param>
    public RecordSet ReadJson(string json, Instant now, Func<string, Subscriber?>? storedSubscriber = null)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new RecordValidationException([new RecordProblem("file", "JSON", null,
                $"cannot be read: {e.Message} (line {e.LineNumber + 1}); the file must be a JSON object with \"deadlines\" and/or \"subscribers\" arrays")]);
        }
        using (doc)
        {
            var problems = new List<RecordProblem>();
            var warnings = new List<string>();
            var secrets = new List<(SubscriberId, ChannelId, string)>();
            var root = doc.RootElement;
            // JSON may escape half of a surrogate pair ("\ud800"), which no .NET string can be read from: refuse it
            // first, naming where it is, so that no reading below meets it.
            var broken = new List<RecordProblem>();
            UnreadableStrings(root, "", broken);
            if (broken.Count > 0) throw new RecordValidationException(broken);
            if (root.ValueKind != JsonValueKind.Object)
                throw new RecordValidationException([new RecordProblem("file", "root", null, "must be a JSON object with \"deadlines\" and/or \"subscribers\" arrays")]);

            var deadlines = ReadArray(root, "deadlines", problems, (e, i) => ReadDeadline(e, i, now, problems, warnings));
            var subscribers = ReadArray(root, "subscribers", problems, (e, i) => ReadSubscriber(e, i, now, problems, secrets, storedSubscriber));
            // Duplicates are found among the ids as written, so a duplicate whose twin has another problem is
            // reported in the same round rather than after that problem is fixed.
            Duplicates(IdsAsWritten(root, "deadlines"), "deadline", problems);
            Duplicates(IdsAsWritten(root, "subscribers"), "subscriber", problems);
            foreach (var p in root.EnumerateObject().Where(p => p.Name is not ("deadlines" or "subscribers" or "$schema")))
                problems.Add(new RecordProblem("file", p.Name, null, "is not a known section; use \"deadlines\" and \"subscribers\""));

            if (problems.Count > 0) throw new RecordValidationException(problems);
            return new RecordSet(deadlines, subscribers, warnings) { GeneratedSecrets = secrets };
        }
    }

    private static void UnreadableStrings(JsonElement e, string path, List<RecordProblem> problems)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.String:
                try { e.GetString(); }
                catch (InvalidOperationException)
                {
                    problems.Add(new RecordProblem("file", path, null,
                        "holds half of a surrogate pair (an escaped \\ud800 without its other half), which is not text; fix the file's encoding"));
                }
                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in e.EnumerateArray()) UnreadableStrings(item, $"{path}[{i++}]", problems);
                break;
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                {
                    string name;
                    try { name = p.Name; }
                    catch (InvalidOperationException)
                    {
                        problems.Add(new RecordProblem("file", path.Length == 0 ? "(a field name)" : path, null, "has a field name holding half of a surrogate pair, which is not text; fix the file's encoding"));
                        continue;
                    }
                    UnreadableStrings(p.Value, path.Length == 0 ? name : $"{path}.{name}", problems);
                }
                break;
        }
    }

    private static List<T> ReadArray<T>(JsonElement root, string name, List<RecordProblem> problems, Func<JsonElement, int, T?> read) where T : class
    {
        var list = new List<T>();
        if (!root.TryGetProperty(name, out var array) || array.ValueKind == JsonValueKind.Null) return list;
        if (array.ValueKind != JsonValueKind.Array)
        {
            problems.Add(new RecordProblem("file", name, null, "must be an array of records"));
            return list;
        }
        var i = 0;
        foreach (var e in array.EnumerateArray())
        {
            var item = read(e, i++);
            if (item is not null) list.Add(item);
        }
        return list;
    }

    private static IEnumerable<string> IdsAsWritten(JsonElement root, string name) =>
        root.TryGetProperty(name, out var array) && array.ValueKind == JsonValueKind.Array
            ? array.EnumerateArray()
                .Where(e => e.ValueKind == JsonValueKind.Object && e.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
                .Select(e => e.GetProperty("id").GetString()!.Trim())
                .Where(id => RecordId.Problem(id) is null)
            : [];

    private static void Duplicates(IEnumerable<string> ids, string kind, List<RecordProblem> problems)
    {
        foreach (var dup in ids.GroupBy(id => id, StringComparer.Ordinal).Where(g => g.Count() > 1))
            problems.Add(new RecordProblem($"{kind} {dup.Key}", "id", dup.Key, $"appears {dup.Count()} times in the file; each {kind} id must be unique"));
    }

    private static Deadline? ReadDeadline(JsonElement e, int index, Instant now, List<RecordProblem> problems, List<string> warnings)
    {
        var before = problems.Count;
        var r = new Fields(e, $"deadline #{index + 1}", problems,
            // "history" is read-only (written by export, kept by extend) and "dueInstant", "standing" and "overdue"
            // are facts the API adds to its answers: accepted so an answer or an export imports again, and ignored.
            ["id", "title", "due", "timeZone", "category", "leadTimes", "source", "notes", "status", "recurrence", "history", "dueInstant", "standing", "overdue", "nextOccurrence"],
            ignored: ["history", "dueInstant", "standing", "overdue", "nextOccurrence"]);
        if (!r.IsObject) return null;
        var id = r.Id();
        var title = r.String("title");
        if (string.IsNullOrWhiteSpace(title)) r.Problem("title", title, "is empty; give the deadline a title people will recognise");
        var zone = r.Zone("timeZone", required: true);
        DueTime? due = null;
        var dueText = r.String("due");
        if (zone is not null)
        {
            var parsed = DueTime.Parse(dueText, zone);
            if (parsed.Problem is not null) r.Problem("due", dueText, parsed.Problem);
            else
            {
                due = parsed.Value;
                if (parsed.Warning is not null) warnings.Add($"{r.Name}: due {parsed.Warning}");
            }
        }
        else if (DueTime.ShapeProblem(dueText) is { } dueProblem)
            r.Problem("due", dueText, dueProblem); // reported with the zone's problem, not after it is fixed
        var leads = r.LeadTimes("leadTimes");
        var source = r.String("source");
        if (source is not null && (!Uri.TryCreate(source, UriKind.Absolute, out var s) || s.Scheme is not ("http" or "https")))
            r.Problem("source", source, "is not an absolute http(s) URL");
        var statusText = r.String("status");
        var status = DeadlineStatus.Active;
        if (statusText is not null && !Enum.TryParse(statusText, ignoreCase: true, out status))
            r.Problem("status", statusText, "is not a status; use active, resolved or cancelled");

        Recurrence? recurrence = null;
        if (r.String("recurrence") is { } ruleText)
        {
            if (due is not null)
            {
                var rule = Recurrence.Parse(ruleText, due);
                if (rule.Problem is not null) r.Problem("recurrence", ruleText, rule.Problem);
                recurrence = rule.Value;
            }
            else if (Recurrence.ShapeProblem(ruleText, out _) is { } ruleProblem)
                r.Problem("recurrence", ruleText, ruleProblem); // reported with the due time's problem, not after it is fixed
        }

        if (problems.Count > before || due is null || id is null) return null;
        return new Deadline
        {
            Id = id,
            Title = title!.Trim(),
            Due = due,
            Category = r.String("category")?.Trim(),
            LeadTimes = leads,
            Source = source,
            Notes = r.String("notes") is { } notes ? TextRules.NormaliseLineBreaks(notes) : null,
            Status = status,
            Recurrence = recurrence,
            ArmedAt = now,
        };
    }

    // With and without seconds (and fractions), as people write them: 2025-08-20T09:00Z, 2025-08-20T09:00:00.5+08:00.
    private static readonly NodaTime.Text.OffsetDateTimePattern[] WithOffset =
        [NodaTime.Text.OffsetDateTimePattern.ExtendedIso, NodaTime.Text.OffsetDateTimePattern.ExtendedIso.WithPatternText("uuuu'-'MM'-'dd'T'HH':'mmo<G>")];
    private static readonly NodaTime.Text.LocalDateTimePattern[] Local =
        [NodaTime.Text.LocalDateTimePattern.ExtendedIso, NodaTime.Text.LocalDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm")];

    /// <summary>
    /// An instant written as ISO 8601 with Z or an offset (<c>2025-08-20T09:00:00Z</c>, <c>2025-08-20T17:00:00+08:00</c>);
    /// else null and the problem, which says what to give (<paramref name="what"/>: "the instant the pause ends").
    /// </summary>
    public static Instant? ParseInstantWithOffset(string text, string what, out string? problem)
    {
        const string examples = "such as \"2025-08-20T09:00:00Z\" or \"2025-08-20T17:00:00+08:00\"";
        problem = null;
        foreach (var pattern in WithOffset)
            if (pattern.Parse(text.Trim()) is { Success: true } parsed) return parsed.Value.ToInstant();
        problem = Local.Any(p => p.Parse(text.Trim()).Success)
            ? $"has no offset, so it names no single instant; give {what} with Z (UTC) or its offset, {examples}"
            : $"is not an ISO 8601 instant; give {what} with Z (UTC) or its offset, {examples}";
        return null;
    }

    private Subscriber? ReadSubscriber(JsonElement e, int index, Instant now, List<RecordProblem> problems, List<(SubscriberId, ChannelId, string)> secrets,
        Func<string, Subscriber?>? storedSubscriber)
    {
        var before = problems.Count;
        var r = new Fields(e, $"subscriber #{index + 1}", problems,
            ["id", "name", "timeZone", "locale", "categories", "deadlines", "leadTimes", "channels", "digest", "quietHours", "pausedUntil"], ignored: []);
        if (!r.IsObject) return null;
        var id = r.Id();
        var name = r.String("name");
        if (string.IsNullOrWhiteSpace(name)) r.Problem("name", name, "is empty; give the subscriber a name");
        var zone = r.Zone("timeZone", required: false);
        var locale = r.Locale("locale");
        var categories = r.Strings("categories");
        var deadlineIds = r.Strings("deadlines");
        foreach (var followed in deadlineIds)
            if (RecordId.Problem(followed) is { } followedProblem) r.Problem("deadlines", followed, $"holds an id that {followedProblem}");
        if (categories.Count == 0 && deadlineIds.Count == 0)
            r.Problem("categories", null, "and deadlines are both empty; a subscriber follows deadlines by categories and/or explicit deadline ids");
        var leads = r.LeadTimes("leadTimes");
        var quiet = r.QuietHours("quietHours");
        var pausedUntil = r.InstantWithOffset("pausedUntil", "the instant the pause ends");
        // An invalid zone is reported on its own; only a missing one is a digest problem.
        var digest = ReadDigest(e, r, hasZone: zone is not null || (e.TryGetProperty("timeZone", out var tz) && tz.ValueKind != JsonValueKind.Null));
        var channels = new List<ChannelSpec>();
        if (!e.TryGetProperty("channels", out var ch) || ch.ValueKind != JsonValueKind.Array || ch.GetArrayLength() == 0)
            r.Problem("channels", null, "is missing or empty; give at least one channel such as {\"type\": \"webhook\", \"url\": \"https://...\"}");
        else
        {
            var i = 0;
            foreach (var c in ch.EnumerateArray())
            {
                var spec = ReadChannel(c, r, $"channels[{i++}]", id is null ? null : storedSubscriber?.Invoke(id));
                if (spec is null) continue;
                if (spec.Type == ChannelSpec.Webhook && spec.Secret is null && id is not null)
                {
                    spec = spec with { Secret = WebhookSecret.Generate() };
                    secrets.Add((id, spec.Id, spec.Secret!));
                }
                channels.Add(spec);
            }
            foreach (var dup in channels.GroupBy(c => c.Id).Where(g => g.Count() > 1))
                r.Problem("channels", dup.First().Redacted, "is listed twice; list each channel once");
        }
        if (problems.Count > before || id is null) return null;
        return new Subscriber
        {
            Id = id,
            Name = name!.Trim(),
            TimeZone = zone,
            Locale = locale,
            Categories = categories,
            DeadlineIds = deadlineIds.Select(DeadlineId.From).ToList(),
            LeadTimes = leads,
            Channels = channels,
            QuietHours = quiet,
            CreatedAt = now,
            Digest = digest,
            PausedUntil = pausedUntil,
            PausedSince = pausedUntil is null ? null : now,
        };
    }

    /// <summary>
    /// <c>"digest": {"every": "week", "on": "monday", "at": "08:00"}</c> or <c>{"every": "day", "at": "07:30"}</c>.
    /// A digest comes at a wall-clock time, so it needs the subscriber's own zone: there is no single
    /// "deadline's zone" for a message listing many deadlines.
    /// </summary>
    private static DigestChoice? ReadDigest(JsonElement e, Fields r, bool hasZone)
    {
        if (!e.TryGetProperty("digest", out var d) || d.ValueKind == JsonValueKind.Null) return null;
        const string example = "{\"every\": \"week\", \"on\": \"monday\", \"at\": \"08:00\"} or {\"every\": \"day\", \"at\": \"07:30\"}";
        if (d.ValueKind != JsonValueKind.Object) { r.Problem("digest", d.GetRawText(), $"must be an object such as {example}"); return null; }
        var problems = 0;
        void Problem(string field, string? value, string message) { problems++; r.Problem(field, value, message); }
        foreach (var p in d.EnumerateObject().Where(p => p.Name is not ("every" or "on" or "at")))
            Problem($"digest.{p.Name}", null, "is not a known field of a digest; known fields are every, on, at");
        string? Text(string name) => d.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()!.Trim()
            : d.TryGetProperty(name, out var other) && other.ValueKind != JsonValueKind.Null ? other.GetRawText() : null;

        var everyText = Text("every");
        DigestEvery? every = everyText?.ToLowerInvariant() switch { "day" => DigestEvery.Day, "week" => DigestEvery.Week, _ => null };
        if (every is null) Problem("digest.every", everyText, everyText is null ? "is missing; use \"day\" or \"week\"" : "is not a digest frequency; use \"day\" or \"week\"");

        var onText = Text("on");
        var on = IsoDayOfWeek.None;
        if (every == DigestEvery.Week)
        {
            if (onText is null) Problem("digest.on", null, "is missing; a weekly digest needs a day such as \"monday\"");
            else if (!Enum.TryParse(onText, ignoreCase: true, out on) || on == IsoDayOfWeek.None || int.TryParse(onText, out _))
                Problem("digest.on", onText, "is not a day of the week; use monday, tuesday, wednesday, thursday, friday, saturday or sunday");
        }
        else if (every == DigestEvery.Day && onText is not null)
            Problem("digest.on", onText, "is only for weekly digests; remove it, or use \"every\": \"week\"");

        var atText = Text("at");
        var at = atText is null ? null : DigestChoice.AtPattern.Parse(atText) is { Success: true } parsed ? parsed.Value : (LocalTime?)null;
        if (at is null)
            Problem("digest.at", atText, atText is null ? "is missing; give the local time of day, such as \"08:00\"" : "is not a local time of day; give 24-hour HH:mm, such as \"08:00\"");

        if (!hasZone)
            Problem("timeZone", null, "is missing; a subscriber with a digest needs an IANA timeZone, such as Europe/Stockholm, for the digest's local time");
        if (problems > 0) return null;
        return new DigestChoice(every!.Value, on, at!.Value);
    }

    private ChannelSpec? ReadChannel(JsonElement c, Fields r, string field, Subscriber? stored)
    {
        if (c.ValueKind != JsonValueKind.Object) { r.Problem(field, null, "must be an object such as {\"type\": \"webhook\", \"url\": \"https://...\"}"); return null; }
        var type = c.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()!.Trim().ToLowerInvariant() : null;
        if (type is null || !ChannelSpec.KnownTypes.Contains(type))
        {
            r.Problem($"{field}.type", type, $"is not a channel type; use one of {string.Join(", ", ChannelSpec.KnownTypes)}");
            return null;
        }
        string[] known = type == ChannelSpec.Email ? ["type", "address", "id", "broken"]
            : type == ChannelSpec.Webhook ? ["type", "url", "secret", "id", "broken"]
            : ["type", "url", "id", "broken"];
        var unknown = c.EnumerateObject().Select(p => p.Name).Where(n => !known.Contains(n)).ToList();
        foreach (var name in unknown)
            r.Problem($"{field}.{name}", null, $"is not a known field of a {type} channel; known fields are {string.Join(", ", known.Where(k => k is not ("id" or "broken")))}");
        if (unknown.Count > 0) return null;
        if (KeptChannel(c, r, field, type, stored, out var kept)) return kept;
        if (type == ChannelSpec.Email)
        {
            var address = c.TryGetProperty("address", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString()!.Trim() : null;
            if (!EmailAddress.IsValid(address))
            {
                r.Problem($"{field}.address", address, "is not an email address such as desk@example.com");
                return null;
            }
            return new ChannelSpec { Type = type, Target = address! };
        }
        var url = c.TryGetProperty("url", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString()!.Trim() : null;
        var problem = endpoints.Problem(url);
        if (problem is not null)
        {
            r.Problem($"{field}.url", url is null ? null : Redaction.Url(url), problem);
            return null;
        }
        string? secret = null;
        if (c.TryGetProperty("secret", out var sec) && sec.ValueKind == JsonValueKind.String)
        {
            secret = sec.GetString()!.Trim();
            if (type != ChannelSpec.Webhook) { r.Problem($"{field}.secret", "***", "is only used by webhook channels; remove it"); return null; }
            if (!WebhookSecret.IsValid(secret)) { r.Problem($"{field}.secret", "***", "is not a signing secret; give whsec_ followed by a base64 key of at least 24 bytes, or leave it out to have one generated"); return null; }
        }
        return new ChannelSpec { Type = type, Target = url!, Secret = secret };
    }

    /// <summary>
    /// A channel given by its <c>id</c> with no target, or with the redacted target the API showed, is the
    /// stored channel of that id (target and secret kept; a <c>secret</c> given with it replaces the stored one).
    /// A full target wins over the id, so editing a URL adds that channel. Returns false when the channel is to
    /// be read from its own fields; true with null when it was refused (the problem is recorded).
    /// </summary>
    private static bool KeptChannel(JsonElement c, Fields r, string field, string type, Subscriber? stored, out ChannelSpec? kept)
    {
        kept = null;
        var targetField = type == ChannelSpec.Email ? "address" : "url";
        var target = c.TryGetProperty(targetField, out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()!.Trim() : null;
        var channelId = c.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString()!.Trim() : null;
        var redacted = target is not null && target.EndsWith("***", StringComparison.Ordinal);
        if (channelId is null)
        {
            if (!redacted) return false;
            r.Problem($"{field}.{targetField}", target, "is a redacted URL as the API shows it; send it back with the channel's \"id\" to keep the stored channel, or give the full URL");
            return true;
        }
        var match = stored?.Channels.FirstOrDefault(s => s.Id == channelId && s.Type == type);
        if (match is null)
        {
            if (target is not null && !redacted) return false;
            if (redacted)
                r.Problem($"{field}.id", channelId, $"comes with a redacted {targetField} from an export (stdout shows URLs as scheme://host/*** and no secrets), and this subscriber has no stored {type} channel of that id to keep; export with secrets as dla export --out FILE and import that file, or give the full {targetField}");
            else
                r.Problem($"{field}.id", channelId, $"is not a {type} channel of this subscriber; give the full {targetField} to add a channel");
            return true;
        }
        if (target is not null && !redacted && target != match.Target) return false;
        var secret = c.TryGetProperty("secret", out var sec) && sec.ValueKind == JsonValueKind.String ? sec.GetString()!.Trim() : null;
        if (secret is not null && !WebhookSecret.IsValid(secret))
        {
            r.Problem($"{field}.secret", "***", "is not a signing secret; give whsec_ followed by a base64 key of at least 24 bytes, or leave it out to keep the stored one");
            return true;
        }
        kept = match with { Secret = secret ?? match.Secret };
        return true;
    }

    /// <summary>Reads fields of one record, adding problems that name the record and the field.</summary>
    private sealed class Fields
    {
        private readonly JsonElement _e;
        private readonly List<RecordProblem> _problems;
        public string Name { get; private set; }
        public bool IsObject { get; }

        /// <summary>Fields whose text broke <see cref="TextRules"/>: refused once, for that reason alone.</summary>
        private readonly HashSet<string> _refusedText = new(StringComparer.Ordinal);

        /// <param name="ignored">Known fields that are accepted and not read (facts an export or answer adds).</param>
        public Fields(JsonElement e, string name, List<RecordProblem> problems, string[] known, string[] ignored)
        {
            _e = e; _problems = problems; Name = name;
            IsObject = e.ValueKind == JsonValueKind.Object;
            if (!IsObject) { Problem("record", null, "must be a JSON object"); return; }
            // Name the record by its id from the start, so every problem of it (unknown fields included) says which record.
            if (e.TryGetProperty("id", out var idValue) && idValue.ValueKind == JsonValueKind.String && RecordId.Problem(idValue.GetString()) is null)
                Name = $"{Name.Split(' ')[0]} {idValue.GetString()}";
            foreach (var p in e.EnumerateObject().Where(p => !known.Contains(p.Name)))
                Problem(p.Name, null, $"is not a known field; known fields are {string.Join(", ", known)}");
            foreach (var p in e.EnumerateObject().Where(p => known.Contains(p.Name) && !ignored.Contains(p.Name) && p.Name != "id"))
                CheckText(p.Value, p.Name);
        }

        /// <summary>
        /// Applies <see cref="TextRules"/> to every string of a field (nested ones included) and the count limits
        /// to its arrays, before the field is read: a refused field gets this one problem, so an over-long or
        /// control-character value is not also reported as "not a time zone" and the like.
        /// </summary>
        private void CheckText(JsonElement v, string path)
        {
            switch (v.ValueKind)
            {
                case JsonValueKind.String:
                    var text = v.GetString()!;
                    var (limit, multiLine, secret) = Rule(path);
                    if (TextRules.Problem(text, limit, multiLine) is { } problem)
                    {
                        Problem(path, secret ? null : text, problem);
                        _refusedText.Add(path);
                    }
                    break;
                case JsonValueKind.Array:
                    var count = v.GetArrayLength();
                    if (MaxItems(path) is { } max && count > max)
                    {
                        Problem(path, null, $"has {count:N0} entries; at most {max:N0} are accepted");
                        _refusedText.Add(path);
                        break;
                    }
                    var i = 0;
                    foreach (var item in v.EnumerateArray()) CheckText(item, $"{path}[{i++}]");
                    break;
                case JsonValueKind.Object:
                    foreach (var p in v.EnumerateObject())
                        if (!(path.StartsWith("channels[", StringComparison.Ordinal) && p.Name == "broken")) // read-only, written by delivery
                            CheckText(p.Value, $"{path}.{p.Name}");
                    break;
            }
        }

        /// <summary>The limit of a field's text (see README "Limits"), whether it may span lines, and whether it is a secret (never shown).</summary>
        private static (int Limit, bool MultiLine, bool Secret) Rule(string path)
        {
            var leaf = path.Contains('.') ? path[(path.LastIndexOf('.') + 1)..] : path;
            var top = path.Split('[', '.')[0];
            if (path.StartsWith("channels[", StringComparison.Ordinal))
                return leaf switch
                {
                    "url" => (TextRules.Limits.Url, TextRules.SingleLine, true),
                    "secret" => (TextRules.Limits.Other, TextRules.SingleLine, true),
                    "address" => (254, TextRules.SingleLine, false),
                    _ => (TextRules.Limits.Other, TextRules.SingleLine, false),
                };
            return top switch
            {
                "notes" => (TextRules.Limits.Notes, TextRules.MultiLine, false),
                "title" => (TextRules.Limits.Title, TextRules.SingleLine, false),
                "name" => (TextRules.Limits.Name, TextRules.SingleLine, false),
                "category" or "categories" => (TextRules.Limits.Category, TextRules.SingleLine, false),
                "source" => (TextRules.Limits.Source, TextRules.SingleLine, false),
                "deadlines" => (RecordId.MaxLength, TextRules.SingleLine, false),
                _ => (TextRules.Limits.Other, TextRules.SingleLine, false),
            };
        }

        private static int? MaxItems(string path) => path switch
        {
            "categories" => TextRules.Limits.Categories,
            "deadlines" => TextRules.Limits.FollowedDeadlines,
            "leadTimes" => TextRules.Limits.LeadTimes,
            "channels" => TextRules.Limits.Channels,
            _ => null,
        };

        /// <summary>Adds a problem, unless the field (or an entry of it) was already refused for its text. A long value
        /// is cut short: the problem names it, it need not repeat it.</summary>
        public void Problem(string field, string? value, string message)
        {
            if (_refusedText.Count > 0 && _refusedText.Any(f => f == field || f.StartsWith(field + "[", StringComparison.Ordinal) || f.StartsWith(field + ".", StringComparison.Ordinal)))
                return;
            if (value is { Length: > 200 }) value = value[..200] + "…";
            _problems.Add(new RecordProblem(Name, field, value, message));
        }

        public string? Id()
        {
            var id = String("id");
            var problem = RecordId.Problem(id);
            if (problem is not null) { Problem("id", id, problem); return null; }
            Name = $"{Name.Split(' ')[0]} {id}";
            return id;
        }

        public string? String(string field)
        {
            if (!_e.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null) return null;
            if (v.ValueKind == JsonValueKind.String) return v.GetString();
            Problem(field, v.GetRawText(), "must be a string");
            return null;
        }

        public List<string> Strings(string field)
        {
            if (!_e.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null) return [];
            if (v.ValueKind != JsonValueKind.Array || v.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.String))
            {
                Problem(field, v.GetRawText(), "must be an array of strings");
                return [];
            }
            return v.EnumerateArray().Select(x => x.GetString()!.Trim()).Where(x => x.Length > 0).Distinct().ToList();
        }

        /// <summary>
        /// An instant written as ISO 8601 with its offset: <c>"2025-08-20T09:00:00Z"</c> or <c>"2025-08-20T17:00:00+08:00"</c>.
        /// A local date-time without an offset is refused: it names no single instant.
        /// </summary>
        public Instant? InstantWithOffset(string field, string what)
        {
            var text = String(field);
            if (text is null) return null;
            var parsed = ParseInstantWithOffset(text, what, out var problem);
            if (problem is not null) Problem(field, text, problem);
            return parsed;
        }

        public DateTimeZone? Zone(string field, bool required)
        {
            var id = String(field);
            if (id is null && !required) return null;
            var problem = Zones.Problem(id);
            if (problem is not null) { Problem(field, id, problem); return null; }
            return Zones.Find(id);
        }

        /// <summary>A BCP 47 tag ICU knows (<see cref="Locales"/>), stored in its canonical spelling; absent or null for English.</summary>
        public System.Globalization.CultureInfo? Locale(string field)
        {
            var tag = String(field);
            if (tag is null) return null;
            var problem = Locales.Problem(tag);
            if (problem is not null) { Problem(field, tag, problem); return null; }
            return Locales.Find(tag);
        }

        /// <summary><c>{"from": "22:00", "to": "07:00", "urgent": true}</c>; <c>urgent</c> is optional (default true).</summary>
        public QuietHours? QuietHours(string field)
        {
            if (!_e.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null) return null;
            const string example = "{\"from\": \"22:00\", \"to\": \"07:00\", \"urgent\": true}";
            if (v.ValueKind != JsonValueKind.Object) { Problem(field, v.GetRawText(), $"must be an object such as {example}"); return null; }
            var before = _problems.Count;
            foreach (var p in v.EnumerateObject().Where(p => p.Name is not ("from" or "to" or "urgent")))
                Problem($"{field}.{p.Name}", null, "is not a known field of quietHours; known fields are from, to, urgent");
            LocalTime? Time(string name)
            {
                var t = v.TryGetProperty(name, out var x) && x.ValueKind == JsonValueKind.String ? x.GetString() : null;
                var parsed = Schedule.QuietHours.ParseTime(t);
                if (parsed is null)
                    Problem($"{field}.{name}", t ?? (x.ValueKind == JsonValueKind.Undefined ? null : x.GetRawText()),
                        (t is null ? "is missing or not a string" : "is not a time") + "; give a 24-hour local time such as 22:00 (in the subscriber's timeZone, else each deadline's)");
                return parsed;
            }
            var from = Time("from");
            var to = Time("to");
            var urgent = true;
            if (v.TryGetProperty("urgent", out var u))
            {
                if (u.ValueKind is JsonValueKind.True or JsonValueKind.False) urgent = u.GetBoolean();
                else Problem($"{field}.urgent", u.GetRawText(), "must be true (the due-now alert and change notices pass through quiet hours) or false (they wait too, but never past the deadline)");
            }
            if (from is { } f && to is { } t2 && f == t2)
                Problem($"{field}.to", t2.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture), "is the same as from; give a period such as 22:00 to 07:00, or leave quietHours out");
            if (_problems.Count > before || from is null || to is null) return null;
            return new QuietHours(from.Value, to.Value, urgent);
        }

        public List<LeadTime> LeadTimes(string field)
        {
            var list = new List<LeadTime>();
            foreach (var text in Strings(field))
            {
                if (LeadTime.TryParse(text, out var lead, out var problem)) list.Add(lead);
                else Problem(field, text, problem);
            }
            return list.Distinct().OrderByDescending(l => l).ToList();
        }
    }
}

public static class EmailAddress
{
    public static bool IsValid(string? address) =>
        !string.IsNullOrWhiteSpace(address) && address.Length <= 254 && !address.Any(char.IsControl) && !address.Contains(' ')
        && System.Net.Mail.MailAddress.TryCreate(address, out var parsed) && parsed.Address == address && address.Contains('.');
}

/// <summary>Standard Webhooks signing secrets: <c>whsec_</c> + base64 key.</summary>
public static class WebhookSecret
{
    public static string Generate() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static bool IsValid(string? secret) => Key(secret) is { Length: >= 24 };

    public static byte[]? Key(string? secret)
    {
        if (secret is null || !secret.StartsWith("whsec_", StringComparison.Ordinal)) return null;
        try { return Convert.FromBase64String(secret["whsec_".Length..]); } catch (FormatException) { return null; }
    }
}
