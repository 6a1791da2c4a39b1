namespace DeadlineAlerts.Storage;

/// <summary>
/// Where DeadlineAlerts keeps its tables and queue. Either a connection string (Azurite, local, or an account
/// key) or service URIs with a <see cref="Azure.Core.TokenCredential"/> (managed identity in Azure).
/// Configuration: <c>DeadlineAlerts:Storage</c> (the connection string itself), or
/// <c>DeadlineAlerts:Storage:TableServiceUri</c> + <c>DeadlineAlerts:Storage:QueueServiceUri</c>
/// (+ optional <c>DeadlineAlerts:Storage:ClientId</c> of a user-assigned identity); <c>DeadlineAlerts:TablePrefix</c>.
/// </summary>
public sealed class StorageOptions
{
    public string? ConnectionString { get; set; }
    public Uri? TableServiceUri { get; set; }
    public Uri? QueueServiceUri { get; set; }
    public string? ClientId { get; set; }
    public string TablePrefix { get; set; } = "";

    /// <summary>Why storage cannot be used although settings were given (an unresolved Key Vault reference);
    /// <see cref="StorageClients"/> refuses to start with it. Never holds a secret.</summary>
    public string? Problem { get; set; }

    public const string Development = "UseDevelopmentStorage=true";

    public bool UsesCredential => string.IsNullOrWhiteSpace(ConnectionString) && TableServiceUri is not null;
}
