using System.Reflection;
using System.Text.Json;
using DeadlineAlerts.App.Deliver;
using DeadlineAlerts.App.Digest;
using DeadlineAlerts.App.Hosting;
using DeadlineAlerts.Functions.Functions;
using DeadlineAlerts.Storage.Queue;
using DeadlineAlerts.Testing;
using Microsoft.Azure.Functions.Worker;
using NodaTime;
using static DeadlineAlerts.Testing.Records;

namespace DeadlineAlerts.Functions.Tests;

public sealed class SendDigestsTests
{
    [Fact]
    public async Task SendDigests_then_DeliverAlerts_send_the_weekly_digest_once()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(Instant.FromUtc(2025, 10, 15, 12, 0));
        var subscriber = new
        {
            id = "desk",
            name = "Desk",
            timeZone = "Europe/Stockholm",
            categories = new[] { "tariff" },
            digest = new { every = "week", on = "monday", at = "08:00" },
            channels = new[] { new { type = "webhook", url = receiver.Url(), secret = "whsec_" + Convert.ToBase64String(new byte[32]) } },
        };
        await t.ImportAsync(File([Deadline("truce", "2025-11-10T00:01")], [subscriber]));
        t.Clock.Reset(Instant.FromUtc(2025, 10, 27, 7, 5));

        var function = new SendDigests(t.Get<DigestService>(), t.Clock, t.Get<StorageReadiness>());
        Assert.Equal(1, (await function.Run(new TimerInfo(), CancellationToken.None)).Planned);
        Assert.Equal(0, (await function.Run(new TimerInfo(), CancellationToken.None)).Planned);

        var message = Assert.Single((await t.Get<AlertQueue>().Queue.ReceiveMessagesAsync(32)).Value);
        Assert.Equal(1, await new DeliverAlerts(t.Get<DeliveryService>()).Run(message.Body.ToString(), CancellationToken.None));
        var request = Assert.Single(receiver.Requests);
        Assert.Equal("2025-10-27", JsonDocument.Parse(request.Body).RootElement.GetProperty("period").GetString());
    }

    [Fact]
    public void The_digest_timer_reads_its_schedule_from_the_DigestSchedule_setting()
    {
        var timer = typeof(SendDigests).GetMethod(nameof(SendDigests.Run))!.GetParameters()[0].GetCustomAttribute<TimerTriggerAttribute>()!;
        Assert.Equal("%DigestSchedule%", timer.Schedule);
        Assert.True(timer.UseMonitor);
        var example = System.IO.File.ReadAllText(Path.Combine(RepoRoot(), "src/DeadlineAlerts.Functions/local.settings.example.json"));
        Assert.Contains("\"DigestSchedule\": \"0 */15 * * * *\"", example);
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !System.IO.File.Exists(Path.Combine(dir.FullName, "DeadlineAlerts.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
