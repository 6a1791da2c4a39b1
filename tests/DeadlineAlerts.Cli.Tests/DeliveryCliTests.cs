using DeadlineAlerts.Testing;
using static DeadlineAlerts.Testing.Records;

namespace DeadlineAlerts.Cli.Tests;

/// <summary><c>dla test</c>, <c>dla clear</c> and <c>dla resend</c> against Azurite and a loopback Slack-style receiver.</summary>
public sealed class DeliveryCliTests : DlaTestBase
{
    [Fact]
    public async Task Test_clear_and_resend_a_channel_that_was_marked_broken()
    {
        Settings["DeadlineAlerts__Delivery__AllowHosts"] = "127.0.0.1";
        {
            using var receiver = new LoopbackReceiver().Answer(404, "channel_not_found");
            var file = WriteFile(File([Deadline("truce", "2025-08-12T00:01", leadTimes: ["P1D"])],
                [new { id = "room", name = "Room", categories = new[] { "tariff" }, channels = new[] { new { type = "slack", url = receiver.Url("services/T0/B0/TOKEN") } } }]));
            Assert.Equal(0, (await Dla("import", file, "--now", "2025-08-06T12:00:00Z")).Code);
            await Dla("run", "--once", "--now", "2025-08-11T04:01:05Z");
            var alerts = await Dla("alerts", "--status", "failed");
            var key = alerts.Out.Split("(dla resend ")[1].Split(')')[0];
            var channel = alerts.Out.Split("slack-")[1].Split(' ')[0];

            var refused = await Dla("resend", key);
            Assert.Equal(1, refused.Code);
            Assert.Contains("is marked broken (Slack answered HTTP 404 channel_not_found)", refused.Err);

            var test = await Dla("test", "room", "slack-" + channel);
            Assert.Equal(0, test.Code);
            Assert.Contains($"to slack-{channel} (http://127.0.0.1:{receiver.Port}/***) of room: delivered", test.Out);
            Assert.Contains("TEST message from DeadlineAlerts", receiver.Requests.Last().Body);

            Assert.Contains("broken mark cleared", (await Dla("clear", "room", "slack-" + channel)).Out);
            Assert.Contains("Re-sent", (await Dla("resend", key, "--now", "2025-08-11T04:20:00Z")).Out);
            await Dla("run", "--once", "--now", "2025-08-11T04:30:00Z");
            Assert.Equal(3, receiver.Requests.Count);
            Assert.Contains("delivered", (await Dla("alerts", "--status", "delivered")).Out);
            Assert.Equal(2, (await Dla("test", "room")).Code);
        }
    }
}
