using System.Text;
using System.Text.Json.Nodes;
using DeadlineAlerts.App.Api;
using DeadlineAlerts.App.Import;
using DeadlineAlerts.App.Records;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Storage.Audit;
using DeadlineAlerts.Storage.Records;
using DeadlineAlerts.Testing;
using NodaTime;
using static DeadlineAlerts.Testing.Records;

namespace DeadlineAlerts.App.Tests;

/// <summary>
/// <c>dla deadline show|add|edit|delete</c> (<see cref="RecordCommands"/>) on Azurite, with real editor processes: small
/// shell scripts given as the editor command, each in its own folder, so the tests run in parallel.
/// </summary>
public sealed class RecordEditTests : IDisposable
{
    private static readonly Instant Now = Instant.FromUtc(2025, 7, 29, 8, 0);
    private readonly string _dir = Directory.CreateTempSubdirectory("dla-edit-test-").FullName;
    private readonly StringWriter _out = new();
    private readonly StringWriter _err = new();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The folder the edit's temp files go to: empty after an edit unless a file is kept.</summary>
    private string Temp => Directory.CreateDirectory(Path.Combine(_dir, "tmp")).FullName;

    /// <summary>An executable sh script in the test's folder, run as <c>SCRIPT DIR FILE</c> (the editor command carries
    /// the folder as an argument, as <c>code --wait</c> carries its own).</summary>
    private string Editor(string body)
    {
        var path = Path.Combine(_dir, "editor.sh");
        System.IO.File.WriteAllText(path, "#!/bin/sh\ndir=\"$1\"; file=\"$2\"\n" + body + "\n");
        if (!OperatingSystem.IsWindows()) System.IO.File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return $"{path} {_dir}";
    }

    /// <summary>An editor that runs <paramref name="first"/> on the first save and, after copying what it was given
    /// to <c>reopened.json</c>, <paramref name="second"/> on the next.</summary>
    private string TwoSaves(string first, string second) => Editor($"""
        if [ ! -e "$dir/first" ]; then
          touch "$dir/first"; {first}
        else
          cp "$file" "$dir/reopened.json"; {second}
        fi
        """);

    private static async Task<TestInstallation> WithTruceAsync()
    {
        var t = await TestInstallation.CreateAsync(Now, new Dictionary<string, string?> { ["DeadlineAlerts:OperatorKey"] = "bob=key-b" });
        await t.ImportAsync(File([Deadline("truce", "2025-08-12T00:01")], [Subscriber("desk", "http://127.0.0.1:9/hook")]));
        return t;
    }

    private Task<int> EditAsync(TestInstallation t, string editor, RecordKind kind = RecordKind.Deadline, string id = "truce") =>
        RecordCommands.EditAsync(t.Services, kind, id, new EditorSettings(Visual: editor, Editor: "false", Temp), _out, _err, "alice");

    private static async Task<List<string>> AuditAsync(TestInstallation t) =>
        (await t.Get<AuditLog>().QueryAsync()).Where(e => e.Actor != ImportService.Actor).Select(e => $"{e.Actor} {e.Action} {e.RecordKind} {e.RecordId}: {e.Summary}").ToList();

    [Fact]
    public async Task Edit_round_trips_through_the_editor_changing_exactly_the_edited_field_audited_by_the_actor()
    {
        await using var t = await WithTruceAsync();
        var before = (await t.Get<RecordStore>().GetDeadlineAsync("truce"))!;

        var code = await EditAsync(t, Editor("""sed -i 's/"title": "Deadline truce"/"title": "Truce, extended"/' "$file" """));

        Assert.Equal(0, code);
        Assert.Equal("Updated deadline truce: title: 'Deadline truce' → 'Truce, extended'\n", _out.ToString().ReplaceLineEndings("\n"));
        var after = (await t.Get<RecordStore>().GetDeadlineAsync("truce"))!;
        Assert.NotEqual(before.ETag, after.ETag);
        var expected = RecordJson.Deadline(before.Value);
        expected["title"] = "Truce, extended";
        Assert.True(JsonNode.DeepEquals(expected, RecordJson.Deadline(after.Value)), RecordJson.Text(RecordJson.Deadline(after.Value)));
        Assert.Equal(before.Value.ArmedAt, after.Value.ArmedAt); // same due instant: nothing re-armed
        Assert.Equal(["alice updated deadline truce: title: 'Deadline truce' → 'Truce, extended'"], await AuditAsync(t));
        Assert.Empty(Directory.GetFiles(Temp));
    }

    [Fact]
    public async Task An_invalid_save_reopens_the_editor_with_the_problem_naming_the_field_above_the_users_text()
    {
        await using var t = await WithTruceAsync();
        // First save: a due time that is not one. Second: fix it.
        var editor = TwoSaves("""sed -i 's/"due": "[^"]*"/"due": "next tuesday"/' "$file" """,
            """sed -i 's/"due": "next tuesday"/"due": "2025-11-10T00:01"/' "$file" """);

        var code = await EditAsync(t, editor);

        Assert.Equal(0, code);
        var reopened = (await System.IO.File.ReadAllLinesAsync(Path.Combine(_dir, "reopened.json"))).ToList();
        Assert.StartsWith("// Edit deadline truce. Lines starting with // are ignored.", reopened[0]);
        Assert.Equal("// Not saved: 1 problem(s). Fix them below, or empty the file to cancel:", reopened[1]);
        Assert.StartsWith("//   deadline truce: due \"next tuesday\" ", reopened[2]);
        Assert.Contains("  \"due\": \"next tuesday\",", reopened); // the user's text, kept below the problems
        Assert.DoesNotContain(reopened.Skip(3), l => l.StartsWith("//", StringComparison.Ordinal));
        Assert.Contains("The deadline was not saved: 1 problem(s); re-opening the editor with them at the top.", _err.ToString());
        Assert.Equal("2025-11-10T00:01:00", (await t.Get<RecordStore>().GetDeadlineAsync("truce"))!.Value.Due.ExportText);
        Assert.Equal(["alice updated deadline truce: due: '2025-08-12T00:01:00' → '2025-11-10T00:01:00'"], await AuditAsync(t));
        Assert.Empty(Directory.GetFiles(Temp));
    }

    [Fact]
    public async Task A_save_that_is_not_json_reopens_with_the_line_counted_below_the_comments_and_emptying_it_then_cancels()
    {
        await using var t = await WithTruceAsync();
        var editor = TwoSaves("""sed -i 's/"title": "Deadline truce",/"title": "Deadline truce"/' "$file" """, """: > "$file" """);

        var code = await EditAsync(t, editor);

        Assert.Equal(0, code);
        Assert.Equal("Edit cancelled, nothing was written.\n", _out.ToString().ReplaceLineEndings("\n"));
        var reopened = await System.IO.File.ReadAllLinesAsync(Path.Combine(_dir, "reopened.json"));
        var comments = reopened.TakeWhile(l => l.StartsWith("//", StringComparison.Ordinal)).ToList();
        Assert.Equal("// (a line number counts from the first line below these comments)", comments[2]);
        Assert.Matches(@"^//   deadline truce: JSON cannot be read: .* \(line 4\); give one deadline as a JSON object in the import format$", comments[3]);
        Assert.Equal("  \"due\": \"2025-08-12T00:01:00\",", reopened[comments.Count + 3]); // line 4 below the comments
        Assert.Empty(await AuditAsync(t));
        Assert.Empty(Directory.GetFiles(Temp));
    }

    [Fact]
    public async Task A_change_made_through_the_api_while_editing_is_not_overwritten_the_current_record_is_shown_and_the_edit_kept()
    {
        await using var t = await WithTruceAsync();
        // The editor says it has the file open, waits until the test has changed the record, then saves its own change.
        var editor = Editor("""
            touch "$dir/editing"
            while [ ! -e "$dir/go" ]; do sleep 0.05; done
            sed -i 's/"title": "Deadline truce"/"title": "Alice was here"/' "$file"
            """);

        var edit = EditAsync(t, editor);
        await WaitForFileAsync(Path.Combine(_dir, "editing"));
        var router = t.Get<ApiRouter>();
        var get = await router.HandleAsync(Api("GET", "/api/deadlines/truce"));
        var bobs = JsonNode.Parse(get.BodyText)!.AsObject();
        bobs["notes"] = "Bob's note";
        var put = await router.HandleAsync(Api("PUT", "/api/deadlines/truce", bobs.ToJsonString(), get.Headers["ETag"]));
        Assert.Equal(200, put.Status);
        await System.IO.File.WriteAllTextAsync(Path.Combine(_dir, "go"), "");
        var code = await edit;

        Assert.Equal(1, code);
        var stored = (await t.Get<RecordStore>().GetDeadlineAsync("truce"))!.Value;
        Assert.Equal(("Deadline truce", "Bob's note"), (stored.Title, stored.Notes));
        Assert.Equal(["bob updated deadline truce: notes: (none) → 'Bob's note'"], await AuditAsync(t));
        var err = _err.ToString();
        Assert.Contains("deadline truce was changed by someone else since this edit began; nothing was written. As stored now:", err);
        Assert.Contains("\"notes\": \"Bob's note\"", err);
        var kept = Assert.Single(Directory.GetFiles(Temp));
        Assert.Contains($"Your edited text is kept in {kept};", err);
        Assert.Contains("\"title\": \"Alice was here\"", await System.IO.File.ReadAllTextAsync(kept));
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, System.IO.File.GetUnixFileMode(kept));
        Assert.Equal("", _out.ToString());
    }

    [Theory]
    [InlineData("true")] // saves nothing: the content is unchanged
    [InlineData("truncate -s 0")] // empties the file
    public async Task An_unchanged_or_emptied_file_cancels_and_writes_and_audits_nothing(string editor)
    {
        await using var t = await WithTruceAsync();
        var before = (await t.Get<RecordStore>().GetDeadlineAsync("truce"))!;

        var code = await EditAsync(t, editor);

        Assert.Equal(0, code);
        Assert.Equal("Edit cancelled, nothing was written.\n", _out.ToString().ReplaceLineEndings("\n"));
        Assert.Equal(before.ETag, (await t.Get<RecordStore>().GetDeadlineAsync("truce"))!.ETag);
        Assert.Empty(await AuditAsync(t));
        Assert.Empty(Directory.GetFiles(Temp));
    }

    [Fact]
    public async Task An_editor_that_cannot_be_started_names_the_variables_to_set_and_writes_nothing()
    {
        await using var t = await WithTruceAsync();

        var code = await RecordCommands.EditAsync(t.Services, RecordKind.Deadline, "truce",
            new EditorSettings(Visual: null, Editor: Path.Combine(_dir, "no-such-editor"), Temp), _out, _err, "alice");

        Assert.Equal(3, code);
        Assert.Contains($"Could not start the editor \"{Path.Combine(_dir, "no-such-editor")}\" (EDITOR)", _err.ToString());
        Assert.Contains("Set VISUAL or EDITOR to your editor's command", _err.ToString());
        Assert.Empty(await AuditAsync(t));
        Assert.Empty(Directory.GetFiles(Temp));
    }

    [Fact]
    public async Task A_subscriber_edited_without_its_urls_keeps_its_channel_url_and_secret()
    {
        await using var t = await WithTruceAsync();
        var before = (await t.Get<RecordStore>().GetSubscriberAsync("desk"))!.Value;

        var code = await EditAsync(t, Editor("""
            cp "$file" "$dir/shown.json"
            sed -i 's/"name": "Subscriber desk"/"name": "Beijing desk"/' "$file"
            """), RecordKind.Subscriber, "desk");

        Assert.Equal(0, code);
        Assert.DoesNotContain("127.0.0.1:9/hook", await System.IO.File.ReadAllTextAsync(Path.Combine(_dir, "shown.json")));
        var after = (await t.Get<RecordStore>().GetSubscriberAsync("desk"))!.Value;
        Assert.Equal("Beijing desk", after.Name);
        Assert.Equal(before.Channels, after.Channels);
        Assert.Equal(["alice updated subscriber desk: name: 'Subscriber desk' → 'Beijing desk'"], await AuditAsync(t));
    }

    [Fact]
    public async Task Show_prints_the_import_format_that_import_reads_back_unchanged_and_an_unknown_id_is_refused()
    {
        await using var t = await WithTruceAsync();

        Assert.Equal(0, await RecordCommands.ShowAsync(t.Services, RecordKind.Deadline, "truce", _out, _err));
        var shown = JsonNode.Parse(_out.ToString())!.AsObject();
        Assert.Equal(["id", "title", "due", "timeZone", "category", "leadTimes", "status"], shown.Select(kv => kv.Key));
        Assert.Matches("^ETag: \"[A-Za-z0-9_-]+\"$", _err.ToString().Trim());
        var again = await t.ImportAsync(new JsonObject { ["deadlines"] = new JsonArray(shown.DeepClone()) }.ToJsonString());
        Assert.Equal(["deadline truce"], again.Unchanged);

        var missing = new StringWriter();
        Assert.Equal(1, await RecordCommands.ShowAsync(t.Services, RecordKind.Deadline, "nope", _out, missing));
        Assert.Equal("There is no deadline with id \"nope\".", missing.ToString().Trim());
    }

    [Fact]
    public async Task Adding_an_existing_id_is_refused_naming_it_and_a_new_one_is_added_and_audited()
    {
        await using var t = await WithTruceAsync();
        var record = """{"title": "Another", "due": "2025-09-01T09:00", "timeZone": "Europe/Paris", "leadTimes": ["P1D"]}""";

        Assert.Equal(1, await RecordCommands.AddAsync(t.Services, RecordKind.Deadline, "truce", file: null, new StringReader(record), _out, _err, "alice"));
        Assert.Equal("A deadline with id \"truce\" exists already; nothing was written. To change it: dla deadline edit truce", _err.ToString().Trim());
        Assert.Equal("Deadline truce", (await t.Get<RecordStore>().GetDeadlineAsync("truce"))!.Value.Title);

        Assert.Equal(0, await RecordCommands.AddAsync(t.Services, RecordKind.Deadline, "paris", file: "-", new StringReader(record), _out, _err, "alice"));
        Assert.Equal("Added deadline paris.", _out.ToString().Trim());
        Assert.Equal("Another", (await t.Get<RecordStore>().GetDeadlineAsync("paris"))!.Value.Title);
        Assert.Equal(["alice created deadline paris: created: title 'Another'; due '2025-09-01T09:00:00'; timeZone 'Europe/Paris'; leadTimes [\"P1D\"]; status 'active'"],
            await AuditAsync(t));
    }

    [Fact]
    public async Task A_subscriber_added_with_a_webhook_and_no_secret_gets_one_printed_once_and_stored()
    {
        await using var t = await WithTruceAsync();
        var record = """{"name": "Paris desk", "categories": ["tariff"], "channels": [{"type": "webhook", "url": "http://127.0.0.1:9/paris"}]}""";

        Assert.Equal(0, await RecordCommands.AddAsync(t.Services, RecordKind.Subscriber, "paris", null, new StringReader(record), _out, _err, "alice"));

        var stored = (await t.Get<RecordStore>().GetSubscriberAsync("paris"))!.Value;
        var channel = Assert.Single(stored.Channels);
        Assert.Equal([
            "Added subscriber paris.",
            $"Generated webhook signing secret for subscriber paris, channel {channel.Id} (shown once, give it to the receiver): {channel.Secret}",
        ], _out.ToString().Trim().ReplaceLineEndings("\n").Split('\n'));
        Assert.StartsWith("whsec_", channel.Secret);
        Assert.Equal("", _err.ToString());
    }

    [Fact]
    public async Task An_invalid_record_is_refused_naming_record_field_and_fix()
    {
        await using var t = await WithTruceAsync();

        var code = await RecordCommands.AddAsync(t.Services, RecordKind.Deadline, "paris", null,
            new StringReader("""{"id": "lyon", "title": "X", "due": "2025-09-01T09:00", "timeZone": "Europe/Lyon"}"""), _out, _err, "alice");

        Assert.Equal(1, code);
        Assert.Equal([
            "Nothing was written: 1 problem(s) found.",
            "  deadline paris: id \"lyon\" must be \"paris\": an id cannot change (add the record under its new id, then delete this one)",
        ], _err.ToString().Trim().ReplaceLineEndings("\n").Split('\n'));
        Assert.Null(await t.Get<RecordStore>().GetDeadlineAsync("lyon"));
        Assert.Empty(await AuditAsync(t));
    }

    [Fact]
    public async Task Delete_with_a_stale_etag_is_refused_with_the_current_record_and_with_the_current_one_deletes()
    {
        await using var t = await WithTruceAsync();
        await RecordCommands.ShowAsync(t.Services, RecordKind.Deadline, "truce", _out, _err);
        var shownETag = _err.ToString().Trim()["ETag: ".Length..];
        var records = t.Get<DeadlineRecords>();
        var changed = await records.ReplaceAsync("truce", """{"title": "Renamed", "due": "2025-08-12T00:01", "timeZone": "America/New_York"}""",
            Azure.ETag.All, "bob");

        var err = new StringWriter();
        Assert.Equal(1, await RecordCommands.DeleteAsync(t.Services, RecordKind.Deadline, "truce", shownETag, _out, err, "alice"));
        Assert.StartsWith($"deadline truce was changed since it was read; nothing was written. As stored now (ETag {ApiETag.Format(changed.ETag)}):", err.ToString());
        Assert.Contains("\"title\": \"Renamed\"", err.ToString());
        Assert.NotNull(await t.Get<RecordStore>().GetDeadlineAsync("truce"));

        Assert.Equal(0, await RecordCommands.DeleteAsync(t.Services, RecordKind.Deadline, "truce", ApiETag.Format(changed.ETag), _out, _err, "alice"));
        Assert.Null(await t.Get<RecordStore>().GetDeadlineAsync("truce"));
        Assert.Equal("alice deleted deadline truce", (await AuditAsync(t))[0].Split(':')[0]);
    }

    private static ApiRequest Api(string method, string path, string? body = null, string? ifMatch = null)
    {
        var headers = new Dictionary<string, string> { ["Authorization"] = "Bearer key-b" };
        if (body is not null) headers["Content-Type"] = "application/json";
        if (ifMatch is not null) headers["If-Match"] = ifMatch;
        return new ApiRequest { Method = method, Path = path, Headers = headers, Body = body is null ? default : Encoding.UTF8.GetBytes(body) };
    }

    private static async Task WaitForFileAsync(string path)
    {
        for (var i = 0; i < 400 && !System.IO.File.Exists(path); i++) await Task.Delay(50);
        Assert.True(System.IO.File.Exists(path), $"the editor never started ({path})");
    }
}
