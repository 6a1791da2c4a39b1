using DeadlineAlerts.App.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DeadlineAlerts.App.Tests;

/// <summary>
/// Every setting is checked when a host starts (<see cref="OptionsCheck"/> runs the same validators as the Generic
/// Host's ValidateOnStart): a bad one is reported naming the setting as the user types it, its value (never a secret)
/// and what is accepted. Missing link and email settings are not errors: they keep their start-up warnings.
/// </summary>
public sealed class OptionsValidationTests
{
    private const string Duration = "give a positive duration as hh:mm:ss (or d.hh:mm:ss), such as 00:01:00";
    private const string KeyAccepted = "give base64 of at least 32 random bytes (openssl rand -base64 32), or unset it to send messages without links";

    private static IReadOnlyList<string> Problems(params (string Key, string? Value)[] settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings.ToDictionary(s => s.Key, s => s.Value)).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddDeadlineAlerts(configuration);
        using var provider = services.BuildServiceProvider();
        try { OptionsCheck.Validate(provider); return []; }
        catch (SettingsInvalidException e) { return e.Problems; }
    }

    [Fact]
    public void Defaults_and_missing_link_and_email_settings_are_valid()
    {
        Assert.Empty(Problems());
        Assert.Empty(Problems(("DeadlineAlerts:Email:Transport", "smtp"))); // no host, no sender: a warning at start, as before
    }

    [Fact]
    public void A_period_that_is_not_positive_names_the_setting_its_value_and_what_is_accepted()
    {
        Assert.Equal([$"DeadlineAlerts__ScanPeriod is \"-00:01:00\"; {Duration}"], Problems(("DeadlineAlerts:ScanPeriod", "-00:01:00")));
        Assert.Equal([$"DeadlineAlerts__SendLease is \"00:00:00\"; {Duration}"], Problems(("DeadlineAlerts:SendLease", "0")));
        Assert.Equal([$"DeadlineAlerts__Delivery__RequestTimeout is \"00:00:00\"; {Duration}"], Problems(("DeadlineAlerts:Delivery:RequestTimeout", "00:00:00")));
        Assert.Equal([$"DeadlineAlerts__Email__Smtp__Timeout is \"-00:00:05\"; {Duration}"], Problems(("DeadlineAlerts:Email:Smtp:Timeout", "-00:00:05")));
    }

    [Fact]
    public void Attempts_and_concurrency_must_be_at_least_one_and_every_problem_is_listed()
    {
        Assert.Equal(
        [
            "DeadlineAlerts__MaxAttempts is \"0\"; give a whole number of at least 1",
            "DeadlineAlerts__DeliveryConcurrency is \"-4\"; give a whole number of at least 1",
            "DeadlineAlerts__MessageConcurrency is \"0\"; give a whole number of at least 1",
        ], Problems(("DeadlineAlerts:MaxAttempts", "0"), ("DeadlineAlerts:DeliveryConcurrency", "-4"), ("DeadlineAlerts:MessageConcurrency", "0")));
        Assert.Equal(["DeadlineAlerts__Delivery__PerHostPerSecond is \"0\"; give a number above 0, such as 1 or 0.5"],
            Problems(("DeadlineAlerts:Delivery:PerHostPerSecond", "0")));
        Assert.Equal(["DeadlineAlerts__Email__Smtp__Port is \"70000\"; give a TCP port from 1 to 65535 (587 for STARTTLS, 465 for TLS on connect)"],
            Problems(("DeadlineAlerts:Email:Smtp:Port", "70000")));
        Assert.Equal(["DeadlineAlerts__Email__Acs__MaxPerMinute is \"0\"; give a whole number of at least 1"],
            Problems(("DeadlineAlerts:Email:Acs:MaxPerMinute", "0")));
    }

    [Fact]
    public void The_retry_cap_must_not_be_below_the_first_retry_delay()
    {
        Assert.Equal(["DeadlineAlerts__MaxRetryDelay is \"00:00:02\"; give at least DeadlineAlerts__RetryBaseDelay (00:00:05): it caps the doubling retry delay"],
            Problems(("DeadlineAlerts:MaxRetryDelay", "00:00:02")));
    }

    [Fact]
    public void A_value_that_does_not_convert_names_the_setting_and_the_kind_expected()
    {
        Assert.Equal([$"DeadlineAlerts__ScanPeriod is not a duration; {Duration}"], Problems(("DeadlineAlerts:ScanPeriod", "soon")));
        Assert.Equal(["DeadlineAlerts__MaxAttempts is not a whole number; give a whole number such as 8"], Problems(("DeadlineAlerts:MaxAttempts", "six")));
    }

    [Fact]
    public void A_malformed_unsubscribe_key_is_an_error_that_never_shows_the_key()
    {
        var shortKey = Convert.ToBase64String(new byte[16]);
        Assert.Equal([$"DeadlineAlerts__UnsubscribeKey is (set, not shown); that holds 16 bytes: {KeyAccepted}"],
            Problems(("DeadlineAlerts:UnsubscribeKey", shortKey)));
        var problems = Problems(("DeadlineAlerts:UnsubscribeKey", "hunter2-not-base64!"));
        Assert.Equal([$"DeadlineAlerts__UnsubscribeKey is (set, not shown); that is not base64: {KeyAccepted}"], problems);
        Assert.DoesNotContain("hunter2", string.Join("\n", problems));
        Assert.Empty(Problems(("DeadlineAlerts:UnsubscribeKey", SubscriberLinksSetup.Key)));
    }

    [Fact]
    public void A_public_base_url_that_is_not_absolute_http_is_an_error_and_a_token_in_it_is_not_shown()
    {
        const string accepted = "give the absolute http(s) URL subscribers reach this app at, such as https://func-xyz.azurewebsites.net, or unset it to send messages without links";
        Assert.Equal([$"DeadlineAlerts__PublicBaseUrl is \"alerts.example.org\"; {accepted}"], Problems(("DeadlineAlerts:PublicBaseUrl", "alerts.example.org")));
        Assert.Equal([$"DeadlineAlerts__PublicBaseUrl is \"ftp://alerts.example.org\"; {accepted}"], Problems(("DeadlineAlerts:PublicBaseUrl", "ftp://alerts.example.org")));
        Assert.Equal([$"DeadlineAlerts__PublicBaseUrl is (set, not shown); {accepted}"], Problems(("DeadlineAlerts:PublicBaseUrl", "alerts.example.org?code=SECRET")));
    }

    [Fact]
    public void Storage_is_a_connection_string_or_both_service_uris_each_an_https_url()
    {
        Assert.Equal(["DeadlineAlerts__Storage__QueueServiceUri is not set but DeadlineAlerts__Storage__TableServiceUri is; give both service URIs, or a connection string in DeadlineAlerts__Storage"],
            Problems(("DeadlineAlerts:Storage:TableServiceUri", "https://acct.table.core.windows.net")));
        Assert.Empty(Problems(("DeadlineAlerts:Storage:TableServiceUri", "https://acct.table.core.windows.net"), ("DeadlineAlerts:Storage:QueueServiceUri", "https://acct.queue.core.windows.net")));
        Assert.Equal(["DeadlineAlerts__Storage__TableServiceUri is \"acct.table.core.windows.net\"; give the account's table endpoint as an absolute https URL, such as https://<account>.table.core.windows.net"],
            Problems(("DeadlineAlerts:Storage:TableServiceUri", "acct.table.core.windows.net"), ("DeadlineAlerts:Storage:QueueServiceUri", "https://acct.queue.core.windows.net")));
        var sas = Problems(("DeadlineAlerts:Storage:TableServiceUri", "https://acct.table.core.windows.net"), ("DeadlineAlerts:Storage:QueueServiceUri", "http://acct.queue.core.windows.net/?sv=2024&sig=SECRETSIG"));
        Assert.Equal(["DeadlineAlerts__Storage__QueueServiceUri is (set, not shown); give the account's queue endpoint as an absolute https URL, such as https://<account>.queue.core.windows.net"], sas);
    }
}
