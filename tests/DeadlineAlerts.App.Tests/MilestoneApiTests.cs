using System.Text;
using System.Text.Json;
using DeadlineAlerts.App.Api;
using DeadlineAlerts.App.Hosting;
using DeadlineAlerts.Storage.Audit;
using DeadlineAlerts.Testing;
using NodaTime;
using static DeadlineAlerts.Testing.Records;

namespace DeadlineAlerts.App.Tests;

/// <summary>The milestone routes through <see cref="ApiRouter"/>, the handler both hosts call.</summary>
public sealed class MilestoneApiTests
{
    private static readonly Instant Aug6 = Instant.FromUtc(2025, 8, 6, 12, 0);

    private static ApiRequest Post(string path, object? body = null, string? key = "key-1", string? ifMatch = null)
    {
        var headers = new Dictionary<string, string>();
        if (key is not null) headers["Authorization"] = "Bearer " + key;
        if (ifMatch is not null) headers["If-Match"] = ifMatch;
        if (body is not null) headers["Content-Type"] = "application/json";
        return new ApiRequest
        {
            Method = "POST",
            Path = path,
            Headers = headers,
            Body = body is null ? default : Encoding.UTF8.GetBytes(JsonSerializer.Serialize(body)),
        };
    }

    private static async Task<(TestInstallation, LoopbackReceiver)> SetUpAsync()
    {
        var receiver = new LoopbackReceiver();
        var t = await TestInstallation.CreateAsync(Aug6, new Dictionary<string, string?> { ["DeadlineAlerts:OperatorKey"] = "alice=key-1" });
        await t.ImportAsync(File([Deadline("truce", "2025-08-12T00:01")], [Subscriber("desk", receiver.Url())]));
        return (t, receiver);
    }

    [Fact]
    public async Task Extend_returns_the_deadline_with_history_and_an_etag_and_notifies()
    {
        var (t, receiver) = await SetUpAsync();
        await using var _ = t;
        using var __ = receiver;
        var router = t.Get<ApiRouter>();

        var response = await router.HandleAsync(Post("/api/deadlines/truce/extend", new { to = "2025-11-10T00:01", reason = "90 days more" }));

        Assert.Equal(200, response.Status);
        Assert.Matches("^\"[A-Za-z0-9_-]+\"$", response.Headers["ETag"]);
        var body = JsonDocument.Parse(response.BodyText).RootElement;
        Assert.Equal("2025-11-10T00:01:00", body.GetProperty("due").GetString());
        var history = Assert.Single(body.GetProperty("history").EnumerateArray().ToList());
        Assert.Equal("extended", history.GetProperty("change").GetString());
        Assert.Equal("alice", history.GetProperty("by").GetString());
        Assert.Equal("2025-08-12T04:01:00Z", history.GetProperty("from").GetProperty("instant").GetString());
        await t.Get<LocalQueueRunner>().DrainAllAsync(TimeSpan.FromSeconds(20));
        Assert.Contains("Extended by 90 days", Assert.Single(receiver.Requests).Body);
        Assert.Equal("alice", Assert.Single(await t.Get<AuditLog>().QueryAsync("deadline", "truce"), e => e.Actor != "import").Actor);

        // Its ETag is current: a resolve that sends it back succeeds...
        var resolved = await router.HandleAsync(Post("/api/deadlines/truce/resolve", new { reason = "signed" }, ifMatch: response.Headers["ETag"]));
        Assert.Equal(200, resolved.Status);
        Assert.Equal("resolved", JsonDocument.Parse(resolved.BodyText).RootElement.GetProperty("status").GetString());

        // ...and a second operator still holding the old one gets 412 with the current record; nothing changes.
        var stale = await router.HandleAsync(Post("/api/deadlines/truce/cancel", null, ifMatch: response.Headers["ETag"]));
        Assert.Equal(412, stale.Status);
        var problem = JsonDocument.Parse(stale.BodyText).RootElement;
        Assert.Equal("resolved", problem.GetProperty("current").GetProperty("status").GetString());
        Assert.Equal(resolved.Headers["ETag"], stale.Headers["ETag"]);
    }

    [Fact]
    public async Task Errors_are_problem_details_401_404_and_400_naming_the_field()
    {
        var (t, receiver) = await SetUpAsync();
        await using var _ = t;
        using var __ = receiver;
        var router = t.Get<ApiRouter>();

        Assert.Equal(401, (await router.HandleAsync(Post("/api/deadlines/truce/resolve", key: null))).Status);
        Assert.Equal(401, (await router.HandleAsync(Post("/api/deadlines/truce/resolve", key: "wrong"))).Status);
        Assert.Equal(404, (await router.HandleAsync(Post("/api/deadlines/nope/resolve"))).Status);

        var bad = await router.HandleAsync(Post("/api/deadlines/truce/extend", new { to = "2025-13-40T00:01" }));
        Assert.Equal(400, bad.Status);
        Assert.StartsWith("application/problem+json", bad.ContentType);
        var error = Assert.Single(JsonDocument.Parse(bad.BodyText).RootElement.GetProperty("errors").EnumerateArray().ToList());
        Assert.Equal(("to", "2025-13-40T00:01"), (error.GetProperty("field").GetString(), error.GetProperty("value").GetString()));
        Assert.Contains("such as 2025-08-12T00:01", error.GetProperty("problem").GetString());

        Assert.Equal(400, (await router.HandleAsync(Post("/api/deadlines/truce/extend", new { to = "2025-11-10T00:01", timeZone = "Eastern Standard Time" }))).Status);
        Assert.DoesNotContain(await t.Get<AuditLog>().QueryAsync("deadline", "truce"), e => e.Actor != "import");
        Assert.Empty(receiver.Requests);
    }
}
