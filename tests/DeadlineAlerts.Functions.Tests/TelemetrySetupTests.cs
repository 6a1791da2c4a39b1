using Azure.Identity;
using DeadlineAlerts.App.Hosting;
using Microsoft.Extensions.Configuration;

namespace DeadlineAlerts.Functions.Tests;

/// <summary>Which settings turn an exporter on, and how the Entra ingestion setting that infra writes is read.</summary>
public sealed class TelemetrySetupTests
{
    private static IConfiguration Settings(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build();

    [Fact]
    public void Nothing_is_exported_unless_an_exporter_is_configured()
    {
        Assert.False(TelemetrySetup.AnyExporter(Settings()));
        Assert.False(TelemetrySetup.AnyExporter(Settings(("DeadlineAlerts:Telemetry:Console", "false"), ("APPLICATIONINSIGHTS_CONNECTION_STRING", " "))));
        Assert.True(TelemetrySetup.AnyExporter(Settings(("APPLICATIONINSIGHTS_CONNECTION_STRING", "InstrumentationKey=00000000-0000-0000-0000-000000000001"))));
        Assert.True(TelemetrySetup.AnyExporter(Settings(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4317"))));
        Assert.True(TelemetrySetup.AnyExporter(Settings(("DeadlineAlerts:Telemetry:Console", "true"))));
    }

    [Fact]
    public void The_authentication_string_infra_sets_signs_in_with_managed_identity()
    {
        Assert.IsType<ManagedIdentityCredential>(TelemetrySetup.AzureMonitorCredential("Authorization=AAD;ClientId=11111111-2222-3333-4444-555555555555"));
        Assert.IsType<ManagedIdentityCredential>(TelemetrySetup.AzureMonitorCredential("Authorization=AAD"));
        Assert.Null(TelemetrySetup.AzureMonitorCredential(null));
        Assert.Null(TelemetrySetup.AzureMonitorCredential("Authorization=Key"));
    }
}
