using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace DeadlineAlerts.Functions.Tests;

/// <summary>
/// The worker's host, built as Program.cs builds it, refuses to start on a bad setting (ValidateOnStart): the
/// Functions runtime then reports the worker as failed to start, with the message naming the setting, instead of a
/// worker that runs and fails at the first tick or message.
/// </summary>
public sealed class SettingsCheckTests
{
    private static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = FunctionsApplication.CreateBuilder([]);
        // What the Functions runtime passes a worker it launches; nothing connects to it before the check fails.
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Functions:Worker:HostEndpoint"] = "http://127.0.0.1:1",
            ["Functions:Worker:WorkerId"] = "test-worker",
            ["Functions:Worker:RequestId"] = "test-request",
            ["Functions:Worker:GrpcMaxMessageLength"] = "2147483647",
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddDeadlineAlertsFunctions(builder.Configuration);
        return builder.Build();
    }

    [Fact]
    public async Task The_worker_does_not_start_on_a_negative_scan_period_and_says_which_setting()
    {
        using var host = Build(new() { ["DeadlineAlerts:ScanPeriod"] = "-00:01:00" });
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Equal("DeadlineAlerts__ScanPeriod is \"-00:01:00\"; give a positive duration as hh:mm:ss (or d.hh:mm:ss), such as 00:01:00", e.Message);
    }

    [Fact]
    public async Task The_worker_does_not_start_on_a_short_unsubscribe_key_and_does_not_show_it()
    {
        var key = Convert.ToBase64String("0123456789abcdef"u8.ToArray());
        using var host = Build(new() { ["DeadlineAlerts:UnsubscribeKey"] = key, ["DeadlineAlerts:PublicBaseUrl"] = "https://func-xyz.azurewebsites.net" });
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.StartsWith("DeadlineAlerts__UnsubscribeKey is (set, not shown); that holds 16 bytes", e.Message);
        Assert.DoesNotContain(key, e.Message);
    }
}
