using System.Net;
using DeadlineAlerts.App.Api;
using DeadlineAlerts.App.Hosting;
using DeadlineAlerts.App.Links;
using DeadlineAlerts.Delivery.Email;
using DeadlineAlerts.Functions.Functions.Api;
using DeadlineAlerts.Functions.Tests.Support;
using DeadlineAlerts.Storage;
using DeadlineAlerts.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace DeadlineAlerts.Functions.Tests;

/// <summary>
/// A Key Vault reference the platform could not resolve reaches the worker as its literal text. Every secret setting
/// holding one is treated as not set: refused, logged as an error naming the setting, and never used as a value.
/// </summary>
public sealed class KeyVaultReferenceTests
{
    private const string Base = "https://func-test.azurewebsites.net";
    private static readonly Instant Now = Instant.FromUtc(2025, 7, 29, 8, 0);
    private const string SecretUri = "https://kv-abc123.vault.azure.net/secrets/operator-key";
    private const string Unresolved = "@Microsoft.KeyVault(SecretUri=" + SecretUri + ")";

    private static async Task<(TestInstallation Installation, CapturedLogs Logs)> StartAsync(Dictionary<string, string?> settings)
    {
        var logs = new CapturedLogs();
        var t = await TestInstallation.CreateAsync(Now, settings, (s, c) =>
        {
            s.AddSingleton<ILoggerProvider>(logs);
            s.AddDeadlineAlertsFunctions(c);
        });
        foreach (var hosted in t.Services.GetServices<IHostedService>()) await hosted.StartAsync(CancellationToken.None);
        return (t, logs);
    }

    private static CapturedLogs.Entry UnresolvedError(CapturedLogs logs, string setting) =>
        Assert.Single(logs.Entries, e => e.Level == LogLevel.Error && e.Message.StartsWith("KeyVaultReferenceUnresolved", StringComparison.Ordinal)
                                         && Equals(e.Values.GetValueOrDefault("Setting"), setting));

    [Fact]
    public async Task An_unresolved_operator_key_refuses_every_key_and_logs_the_setting_without_its_value()
    {
        var (t, logs) = await StartAsync(new() { ["DeadlineAlerts:OperatorKey"] = Unresolved });
        await using var _ = t;
        var api = new OperatorApi(t.Get<ApiRouter>());

        // The literal, and what it would have parsed as ("@Microsoft.KeyVault(SecretUri" = "https://...)").
        foreach (var key in new[] { Unresolved, SecretUri + ")" })
        {
            var answer = Assert.IsType<TestHttpResponse>(await api.Subscribers(new TestHttpRequest("GET", new Uri($"{Base}/api/subscribers"), t.Services,
                headers: new Dictionary<string, string> { ["X-Operator-Key"] = key }), CancellationToken.None));
            Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
        }
        Assert.Empty(t.Get<Microsoft.Extensions.Options.IOptions<ApiOptions>>().Value.OperatorKeys());

        var error = UnresolvedError(logs, "DeadlineAlerts__OperatorKey");
        Assert.Contains("did not resolve", error.Message);
        Assert.Contains("Key Vault Secrets User", error.Message);
        Assert.DoesNotContain(SecretUri, logs.AllText);
        Assert.DoesNotContain("kv-abc123", logs.AllText);
    }

    [Fact]
    public async Task An_unresolved_signing_key_gives_no_links_and_an_unresolved_ACS_connection_string_disables_email()
    {
        var (t, logs) = await StartAsync(new()
        {
            ["DeadlineAlerts:OperatorKey"] = "alice=alice-key",
            ["DeadlineAlerts:UnsubscribeKey"] = "@Microsoft.KeyVault(VaultName=kv-abc123;SecretName=unsubscribe-signing-key)",
            ["DeadlineAlerts:Email:Transport"] = "acs",
            ["DeadlineAlerts:Email:From"] = "alerts@example.com",
            ["DeadlineAlerts:Email:Acs:ConnectionString"] = "@Microsoft.KeyVault(SecretUri=https://kv-abc123.vault.azure.net/secrets/acs)",
        });
        await using var _ = t;

        Assert.Contains("DeadlineAlerts__UnsubscribeKey is not set", t.Get<SubscriberLinks>().Problem);
        var email = Assert.IsType<UnconfiguredEmailSender>(t.Get<IEmailSender>());
        Assert.DoesNotContain("kv-abc123", email.Problem);
        Assert.Equal(["DeadlineAlerts__Email__Acs__ConnectionString", "DeadlineAlerts__UnsubscribeKey"], t.Get<KeyVaultReferences>().SettingNames);
        UnresolvedError(logs, "DeadlineAlerts__UnsubscribeKey");
        UnresolvedError(logs, "DeadlineAlerts__Email__Acs__ConnectionString");
        Assert.DoesNotContain("kv-abc123", logs.AllText);

        // A resolved setting next to them is read as usual.
        var api = new OperatorApi(t.Get<ApiRouter>());
        var ok = Assert.IsType<TestHttpResponse>(await api.Subscribers(new TestHttpRequest("GET", new Uri($"{Base}/api/subscribers"), t.Services,
            headers: new Dictionary<string, string> { ["X-Operator-Key"] = "alice-key" }), CancellationToken.None));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task An_unresolved_storage_connection_string_fails_naming_the_setting_instead_of_falling_back_to_Azurite()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DeadlineAlerts:Storage"] = "@Microsoft.KeyVault(SecretUri=https://kv-abc123.vault.azure.net/secrets/storage)",
        }).Build();
        var logs = new CapturedLogs();
        var services = new ServiceCollection().AddLogging(b => b.AddProvider(logs)).AddSingleton<IConfiguration>(configuration);
        services.AddDeadlineAlertsFunctions(configuration);
        await using var provider = services.BuildServiceProvider(); // the telemetry module is only IAsyncDisposable

        Assert.NotEqual(StorageOptions.Development, provider.GetRequiredService<StorageOptions>().ConnectionString);
        var e = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<StorageClients>());
        Assert.StartsWith("Storage is not configured: DeadlineAlerts__Storage is a Key Vault reference that did not resolve", e.Message);
        Assert.Contains("does not fall back to development storage", e.Message);
        Assert.DoesNotContain("kv-abc123", e.Message);
        UnresolvedError(logs, "DeadlineAlerts__Storage");
        Assert.DoesNotContain("kv-abc123", logs.AllText);
    }

    [Fact]
    public void Service_uris_still_work_when_only_the_storage_connection_string_is_unresolved()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DeadlineAlerts:Storage"] = "@Microsoft.KeyVault(SecretUri=https://kv-abc123.vault.azure.net/secrets/storage)",
            ["DeadlineAlerts:Storage:TableServiceUri"] = "https://127.0.0.1:1/",
            ["DeadlineAlerts:Storage:QueueServiceUri"] = "https://127.0.0.1:1/",
        }).Build();

        var options = App.Hosting.ServiceCollectionExtensions.ReadStorageOptions(KeyVaultReferences.Guard(configuration).Configuration,
            KeyVaultReferences.Guard(configuration).References);

        Assert.Null(options.ConnectionString);
        Assert.Null(options.Problem);
        Assert.True(options.UsesCredential);
    }
}
