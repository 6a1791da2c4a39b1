using DeadlineAlerts.App.Deliver;
using DeadlineAlerts.App.Hosting;
using DeadlineAlerts.App.Scan;
using DeadlineAlerts.Functions.Functions;
using DeadlineAlerts.Storage.Ledger;
using DeadlineAlerts.Storage.Queue;
using DeadlineAlerts.Testing;
using Microsoft.Azure.Functions.Worker;
using NodaTime;
using static DeadlineAlerts.Testing.Records;

namespace DeadlineAlerts.Functions.Tests;

/// <summary>The function classes are thin: invoked directly, they run the same services the CLI runs.</summary>
public sealed class FunctionTests
{
    [Fact]
    public async Task ScanDeadlines_then_DeliverAlerts_send_the_due_alert_once()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(Instant.FromUtc(2025, 7, 29, 8, 0));
        await t.ImportAsync(File([Deadline("truce", "2025-08-12T00:01", leadTimes: ["P7D"])], [Subscriber("desk", receiver.Url())]));
        t.Clock.Reset(Instant.FromUtc(2025, 8, 5, 4, 1, 20));

        var tick = await new ScanDeadlines(t.Get<ScanService>(), t.Get<StorageReadiness>()).Run(new TimerInfo(), CancellationToken.None);
        Assert.Equal(1, tick.Planned);

        var queue = t.Get<AlertQueue>().Queue;
        var message = Assert.Single((await queue.ReceiveMessagesAsync(32)).Value);
        var deliver = new DeliverAlerts(t.Get<DeliveryService>());
        Assert.Equal(1, await deliver.Run(message.Body.ToString(), CancellationToken.None));
        Assert.Equal(0, await deliver.Run(message.Body.ToString(), CancellationToken.None)); // the host retrying the same message

        Assert.Single(receiver.Requests);
        Assert.Equal(LedgerStatus.Delivered, Assert.Single(await t.Get<AlertLedger>().QueryAsync(null)).Status);
    }

    [Fact]
    public void The_queue_trigger_takes_its_queue_from_the_AlertQueueName_setting_not_a_constant()
    {
        var trigger = typeof(DeliverAlerts).GetMethod(nameof(DeliverAlerts.Run))!.GetParameters()
            .Select(p => p.GetCustomAttributes(typeof(QueueTriggerAttribute), false).OfType<QueueTriggerAttribute>().SingleOrDefault())
            .Single(a => a is not null)!;

        Assert.Equal("%AlertQueueName%", trigger.QueueName);
        Assert.Equal("DeadlineAlertsQueue", trigger.Connection);
    }
}
