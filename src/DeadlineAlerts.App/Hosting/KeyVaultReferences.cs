using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DeadlineAlerts.App.Hosting;

/// <summary>
/// Settings whose value is still an <c>@Microsoft.KeyVault(...)</c> reference. App Service and Functions resolve
/// a Key Vault reference before the app sees it; when that fails (the identity lacks Key Vault Secrets User, the
/// vault is unreachable, the secret does not exist) the platform passes the literal reference on as the value.
/// Taken at face value that literal is a usable secret: <c>DeadlineAlerts__OperatorKey</c> would parse as an
/// operator named <c>@Microsoft.KeyVault(SecretUri</c> with a key anyone who reads the template can guess.
/// So such a setting counts as not configured (<see cref="Guard"/> hides it): no operator key means every
/// operator request is refused with 401, no signing key means no links, no ACS key means the email channel is
/// disabled, and an unresolved storage setting fails instead of falling back to Azurite.
/// </summary>
public sealed class KeyVaultReferences
{
    public const string Prefix = "@Microsoft.KeyVault(";

    private int _logged;

    private KeyVaultReferences(IReadOnlyList<string> unresolved) => Unresolved = unresolved;

    /// <summary>The configuration keys (<c>DeadlineAlerts:OperatorKey</c> form) whose reference did not resolve, in order.</summary>
    public IReadOnlyList<string> Unresolved { get; }

    /// <summary>The same keys as app settings / environment variables (<c>DeadlineAlerts__OperatorKey</c>).</summary>
    public IEnumerable<string> SettingNames => Unresolved.Select(SettingName);

    public static bool IsReference(string? value) =>
        value is not null && value.AsSpan().TrimStart().StartsWith(Prefix, StringComparison.OrdinalIgnoreCase);

    public static string SettingName(string configurationKey) => configurationKey.Replace(":", "__", StringComparison.Ordinal);

    /// <summary>Is <paramref name="configurationKey"/>, or a key under it, an unresolved reference?</summary>
    public bool Affects(string configurationKey) => Unresolved.Any(k =>
        k.Equals(configurationKey, StringComparison.OrdinalIgnoreCase)
        || k.StartsWith(configurationKey + ConfigurationPath.KeyDelimiter, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// <paramref name="configuration"/> with every unresolved reference replaced by null (a key present without a
    /// value, so the binders leave the option at its default), and the keys that were.
    /// </summary>
    public static (IConfiguration Configuration, KeyVaultReferences References) Guard(IConfiguration configuration)
    {
        var unresolved = configuration.AsEnumerable().Where(kv => IsReference(kv.Value)).Select(kv => kv.Key)
            .Order(StringComparer.OrdinalIgnoreCase).ToList();
        if (unresolved.Count == 0) return (configuration, new KeyVaultReferences([]));
        var guarded = new ConfigurationBuilder()
            .AddConfiguration(configuration, shouldDisposeConfiguration: false)
            .AddInMemoryCollection(unresolved.Select(k => new KeyValuePair<string, string?>(k, null)))
            .Build();
        return (guarded, new KeyVaultReferences(unresolved));
    }

    /// <summary>One error per unresolved setting, naming it (never its value) and what to check. Logs once per process
    /// container: called when the host starts and again when storage is first used (the CLI runs no hosted services).</summary>
    public void LogErrors(ILogger logger)
    {
        if (Unresolved.Count == 0 || Interlocked.Exchange(ref _logged, 1) == 1) return;
        foreach (var setting in SettingNames)
        {
            logger.LogError(
                "KeyVaultReferenceUnresolved: the app setting {Setting} is a Key Vault reference that did not resolve, so it is treated as not set. " +
                "Check that the app's identity (keyVaultReferenceIdentity) has Key Vault Secrets User on the vault, that the vault is reachable " +
                "from the app (network access), and that the secret exists; the portal's Environment variables blade shows the reference's status. " +
                "After fixing, restart the app or wait for the platform to refresh references.",
                setting);
        }
    }
}

/// <summary>Logs the unresolved Key Vault references when a host starts (<see cref="KeyVaultReferences.LogErrors"/>).</summary>
internal sealed class KeyVaultReferenceLog(KeyVaultReferences references, ILogger<KeyVaultReferences> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) { references.LogErrors(logger); return Task.CompletedTask; }
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
