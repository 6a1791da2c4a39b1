using DeadlineAlerts.App.Links;
using DeadlineAlerts.Core.Settings;
using DeadlineAlerts.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace DeadlineAlerts.App.Hosting;

/// <summary>Periods and timeouts positive, attempts and concurrency at least 1, the retry cap not below the first delay.</summary>
public sealed class AlertsOptionsValidator : IValidateOptions<AlertsOptions>
{
    public ValidateOptionsResult Validate(string? name, AlertsOptions o)
    {
        var rules = new SettingRules(AlertsOptions.Section);
        rules.Positive(nameof(o.ScanPeriod), o.ScanPeriod);
        rules.AtLeastOne(nameof(o.MaxAttempts), o.MaxAttempts);
        rules.Positive(nameof(o.RetryBaseDelay), o.RetryBaseDelay);
        rules.Positive(nameof(o.MaxRetryDelay), o.MaxRetryDelay);
        if (o.RetryBaseDelay > TimeSpan.Zero && o.MaxRetryDelay > TimeSpan.Zero && o.MaxRetryDelay < o.RetryBaseDelay)
            rules.Add(SettingProblem.Of(rules.Name(nameof(o.MaxRetryDelay)), o.MaxRetryDelay,
                $"give at least {rules.Name(nameof(o.RetryBaseDelay))} ({o.RetryBaseDelay:c}): it caps the doubling retry delay"));
        rules.AtLeastOne(nameof(o.DeliveryConcurrency), o.DeliveryConcurrency);
        rules.AtLeastOne(nameof(o.MessageConcurrency), o.MessageConcurrency);
        rules.Positive(nameof(o.StaleAfter), o.StaleAfter);
        rules.Positive(nameof(o.DigestPeriod), o.DigestPeriod);
        rules.Positive(nameof(o.SendLease), o.SendLease);
        rules.Positive(nameof(o.HealthCheckTimeout), o.HealthCheckTimeout);
        rules.Positive(nameof(o.HealthMaxMessageWait), o.HealthMaxMessageWait);
        if (o.HealthMaxOverdueRows < 0)
            rules.Add(SettingProblem.Of(rules.Name(nameof(o.HealthMaxOverdueRows)), o.HealthMaxOverdueRows.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "give a whole number of 0 or more"));
        return rules.Problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(rules.Problems);
    }
}

/// <summary>
/// The link settings, when given, must work: a key that is not base64 of at least 32 bytes, or a base URL that is not
/// an absolute http(s) URL, stops the host. Missing ones do not: messages then go without links, and
/// <see cref="SubscriberLinks"/> warns at start, as before. The key is never shown.
/// </summary>
public sealed class LinkOptionsValidator : IValidateOptions<LinkOptions>
{
    public ValidateOptionsResult Validate(string? name, LinkOptions o)
    {
        var rules = new SettingRules(LinkOptions.Section);
        if (!string.IsNullOrWhiteSpace(o.UnsubscribeKey) && LinkSigner.Key(o.UnsubscribeKey, out _) is null)
            rules.Add(SettingProblem.Of(rules.Name(nameof(o.UnsubscribeKey)), SettingProblem.NotShown, KeyFault(o.UnsubscribeKey) +
                ": give base64 of at least 32 random bytes (openssl rand -base64 32), or unset it to send messages without links"));
        if (!string.IsNullOrWhiteSpace(o.PublicBaseUrl) && LinkOptions.BaseUrl(o.PublicBaseUrl) is null)
            rules.Add(SettingProblem.Of(rules.Name(nameof(o.PublicBaseUrl)), SettingProblem.ShownUrl(o.PublicBaseUrl),
                "give the absolute http(s) URL subscribers reach this app at, such as https://func-xyz.azurewebsites.net, or unset it to send messages without links"));
        rules.Positive(nameof(o.UnsubscribeLinkLifetime), o.UnsubscribeLinkLifetime);
        return rules.Problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(rules.Problems);
    }

    /// <summary>What is wrong with a key that <see cref="LinkSigner.Key"/> refused, without a byte of it.</summary>
    private static string KeyFault(string key)
    {
        try { return $"that holds {Convert.FromBase64String(key.Trim()).Length} bytes"; }
        catch (FormatException) { return "that is not base64"; }
    }
}

/// <summary>
/// Storage is a connection string (<c>DeadlineAlerts__Storage</c>) or both service URIs
/// (<c>DeadlineAlerts__Storage__TableServiceUri</c> and <c>__QueueServiceUri</c>), each an absolute https URL
/// (http for a loopback emulator). Read from the raw settings, because <see cref="ServiceCollectionExtensions.ReadStorageOptions"/>
/// drops a URI it cannot parse. Nothing set stays Azurite's development storage; an unresolved Key Vault reference
/// stays <see cref="StorageOptions.Problem"/>, reported where the clients are built.
/// </summary>
public sealed class StorageOptionsValidator(IConfiguration configuration) : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions o)
    {
        var section = configuration.GetSection("DeadlineAlerts:Storage");
        var rules = new SettingRules("DeadlineAlerts:Storage");
        string? table = section["TableServiceUri"], queue = section["QueueServiceUri"];
        foreach (var (key, value) in new[] { ("TableServiceUri", table), ("QueueServiceUri", queue) })
        {
            if (string.IsNullOrWhiteSpace(value)) continue;
            if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || !(uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback)))
                rules.Add(SettingProblem.Of(rules.Name(key), SettingProblem.ShownUrl(value),
                    $"give the account's {(key.StartsWith('T') ? "table" : "queue")} endpoint as an absolute https URL, such as https://<account>.{(key.StartsWith('T') ? "table" : "queue")}.core.windows.net"));
        }
        if (string.IsNullOrWhiteSpace(o.ConnectionString) && o.Problem is null
            && string.IsNullOrWhiteSpace(table) != string.IsNullOrWhiteSpace(queue))
        {
            var (given, missing) = string.IsNullOrWhiteSpace(table) ? ("QueueServiceUri", "TableServiceUri") : ("TableServiceUri", "QueueServiceUri");
            rules.Add($"{rules.Name(missing)} is not set but {rules.Name(given)} is; give both service URIs, or a connection string in DeadlineAlerts__Storage");
        }
        return rules.Problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(rules.Problems);
    }
}
