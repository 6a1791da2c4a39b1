using System.Text;
using System.Text.Json;
using DeadlineAlerts.App.Api;
using DeadlineAlerts.App.OperatorConsole;
using DeadlineAlerts.Testing;
using NodaTime;
using static DeadlineAlerts.Testing.Records;

namespace DeadlineAlerts.App.Tests;

/// <summary>The routes the operator console reads (session, zones, schedule) and its files, through
/// <see cref="ApiRouter"/> and <see cref="ConsolePage"/> against Azurite.</summary>
public sealed class ConsoleApiTests
{
    private static readonly Instant Aug6 = Instant.FromUtc(2025, 8, 6, 12, 0);

    private static ApiRequest Call(string path, Dictionary<string, string>? query = null, string? key = "key-1") => new()
    {
        Method = "GET",
        Path = path,
        Query = query ?? [],
        Headers = key is null ? [] : new Dictionary<string, string> { ["X-Operator-Key"] = key },
    };

    private static JsonElement Json(ApiResponse r) => JsonDocument.Parse(r.BodyText).RootElement;

    private static Task<TestInstallation> InstallAsync() =>
        TestInstallation.CreateAsync(Aug6, new Dictionary<string, string?> { ["DeadlineAlerts:OperatorKey"] = "alice=key-1" });

    [Fact]
    public async Task Session_names_the_operator_and_the_servers_instant_and_needs_a_key()
    {
        await using var t = await InstallAsync();
        var router = t.Get<ApiRouter>();
        var session = await router.HandleAsync(Call("/api/session"));
        Assert.Equal(200, session.Status);
        Assert.Equal("2025-08-06T12:00:00Z", Json(session).GetProperty("now").GetString());
        Assert.Equal("alice", Json(session).GetProperty("operator").GetString());
        Assert.Equal("no-store", session.Headers["Cache-Control"]);
        Assert.Equal(401, (await router.HandleAsync(Call("/api/session", key: null))).Status);
        // A function key header is the Functions host's business, never an operator key of the router.
        var functionKey = new ApiRequest { Method = "GET", Path = "/api/session", Headers = new Dictionary<string, string> { ["x-functions-key"] = "key-1" } };
        Assert.Equal(401, (await router.HandleAsync(functionKey)).Status);
    }

    [Fact]
    public async Task Zones_lists_iana_ids_and_answers_windows_ids_with_the_iana_id()
    {
        await using var t = await InstallAsync();
        var zones = Json(await t.Get<ApiRouter>().HandleAsync(Call("/api/zones")));
        var ids = zones.GetProperty("zones").EnumerateArray().Select(z => z.GetString()).ToList();
        Assert.Contains("America/New_York", ids);
        Assert.Contains("Asia/Shanghai", ids);
        Assert.Equal("America/New_York", zones.GetProperty("windows").GetProperty("Eastern Standard Time").GetString());
    }

    [Fact]
    public async Task Schedule_lists_the_alerts_planned_in_the_window_and_refuses_a_window_too_long()
    {
        await using var t = await InstallAsync();
        await t.ImportAsync(File([Deadline("truce", "2025-08-12T00:01", leadTimes: ["P1D", "PT1H"])], [Subscriber("desk", "https://example.org/hook")]));
        var router = t.Get<ApiRouter>();
        var answer = await router.HandleAsync(Call("/api/schedule", new() { ["from"] = "2025-08-06T12:00:00Z", ["to"] = "2025-08-20T00:00:00Z" }));
        Assert.Equal(200, answer.Status);
        var alerts = Json(answer).GetProperty("alerts").EnumerateArray()
            .Select(a => $"{a.GetProperty("deadlineId").GetString()} {a.GetProperty("subscriberId").GetString()} {a.GetProperty("leadTime").GetString()} {a.GetProperty("fireAt").GetString()}")
            .ToList();
        Assert.Equal(["truce desk P1D 2025-08-11T04:01:00Z", "truce desk PT1H 2025-08-12T03:01:00Z"], alerts);

        var tooLong = await router.HandleAsync(Call("/api/schedule", new() { ["from"] = "2025-08-06T12:00:00Z", ["to"] = "2026-08-06T12:00:00Z" }));
        Assert.Equal(400, tooLong.Status);
        Assert.Contains("at most 92 days after from", tooLong.BodyText);
        var backwards = await router.HandleAsync(Call("/api/schedule", new() { ["from"] = "2025-08-06T12:00:00Z", ["to"] = "2025-08-01T00:00:00Z" }));
        Assert.Contains("must be after from", backwards.BodyText);
    }

    [Fact]
    public void The_console_files_carry_a_policy_without_inline_script_and_name_the_hosts_key_header()
    {
        var page = ConsolePage.Answer("", ConsoleKeyHeader.OperatorKey);
        Assert.Equal("text/html; charset=utf-8", page.ContentType);
        Assert.StartsWith("default-src 'self'; script-src 'self';", page.Headers["Content-Security-Policy"]);
        Assert.DoesNotContain("unsafe-inline", page.Headers["Content-Security-Policy"]);
        Assert.Equal("nosniff", page.Headers["X-Content-Type-Options"]);
        Assert.Contains("<html lang=\"en\">", page.BodyText);
        Assert.Contains("<meta name=\"dla-key-header\" content=\"X-Operator-Key\">", page.BodyText);
        Assert.DoesNotContain("<script>", page.BodyText); // the only script is console.js, by src
        Assert.Contains("content=\"x-functions-key\"", ConsolePage.Answer("index.html", ConsoleKeyHeader.FunctionKey).BodyText);
        Assert.Equal("text/javascript; charset=utf-8", ConsolePage.Answer("console.js", ConsoleKeyHeader.OperatorKey).ContentType);
        Assert.DoesNotContain("innerHTML", ConsolePage.Answer("console.js", ConsoleKeyHeader.OperatorKey).BodyText);
        var missing = ConsolePage.Answer("../appsettings.json", ConsoleKeyHeader.OperatorKey);
        Assert.Equal(404, missing.Status);
        Assert.Equal("nosniff", missing.Headers["X-Content-Type-Options"]);
    }
}
