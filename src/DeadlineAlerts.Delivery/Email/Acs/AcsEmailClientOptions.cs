using System.Net;

namespace DeadlineAlerts.Delivery.Email.Acs;

/// <summary>
/// Settings under <c>DeadlineAlerts:Email:Acs</c>. Give either <see cref="ConnectionString"/>
/// (<c>endpoint=https://x.communication.azure.com/;accesskey=BASE64</c>: HMAC-signed requests) or
/// <see cref="Endpoint"/> alone (Entra ID: <c>DefaultAzureCredential</c>, e.g. the Function's managed identity,
/// which needs a role such as "Communication and Email Service Owner" on the resource).
/// </summary>
public sealed class AcsEmailClientOptions
{
    /// <summary>The GA Email REST version (<c>stable/2023-03-31</c> in azure-rest-api-specs).</summary>
    public const string DefaultApiVersion = "2023-03-31";

    /// <summary>Secret. Never logged, never part of a reason.</summary>
    public string? ConnectionString { get; set; }

    public string? Endpoint { get; set; }

    public string ApiVersion { get; set; } = DefaultApiVersion;

    /// <summary>Sends per minute to the resource. ACS's default quota is low (tens per minute); raise it with the quota.</summary>
    public int MaxPerMinute { get; set; } = 30;

    /// <summary>Longest a send waits for its pacing slot before it is handed back as a Retry instead.</summary>
    public TimeSpan MaxPacingWait { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long to poll the send operation for a terminal status before taking "accepted" as the answer.</summary>
    public TimeSpan MaxPollDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Upper bound on one wait between polls (the service's retry-after is honoured up to this).</summary>
    public TimeSpan MaxPollInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Wait between polls when the service sends no retry-after.</summary>
    public TimeSpan DefaultPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Sent as <c>userEngagementTrackingDisabled</c>: no open/click tracking pixels in alert emails.</summary>
    public bool DisableUserEngagementTracking { get; set; } = true;

    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>The resolved, validated way of reaching one ACS resource.</summary>
public sealed class AcsEndpoint
{
    public Uri Endpoint { get; }
    /// <summary>Decoded access key, or null for Entra ID. Never logged.</summary>
    internal byte[]? AccessKey { get; }
    public bool UsesAccessKey => AccessKey is not null;

    private AcsEndpoint(Uri endpoint, byte[]? accessKey) { Endpoint = endpoint; AccessKey = accessKey; }

    /// <summary>
    /// Reads the settings; throws <see cref="InvalidOperationException"/> naming the setting (never its value)
    /// when neither or a malformed one is given, or when the endpoint is plain http on a non-loopback host.
    /// </summary>
    public static AcsEndpoint From(AcsEmailClientOptions options)
    {
        var endpoint = options.Endpoint;
        byte[]? key = null;
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            var parts = options.ConnectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(p => p.Split('=', 2))
                .Where(p => p.Length == 2)
                .ToDictionary(p => p[0].Trim().ToLowerInvariant(), p => p[1].Trim());
            if (!parts.TryGetValue("endpoint", out endpoint) || !parts.TryGetValue("accesskey", out var encoded))
                throw new InvalidOperationException("DeadlineAlerts__Email__Acs__ConnectionString must look like endpoint=https://<resource>.communication.azure.com/;accesskey=<base64 key>");
            try { key = Convert.FromBase64String(encoded); }
            catch (FormatException) { throw new InvalidOperationException("DeadlineAlerts__Email__Acs__ConnectionString has an accesskey that is not base64"); }
        }
        if (string.IsNullOrWhiteSpace(endpoint))
            throw new InvalidOperationException("set DeadlineAlerts__Email__Acs__ConnectionString (access key) or DeadlineAlerts__Email__Acs__Endpoint (Entra ID)");
        if (!Uri.TryCreate(endpoint.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            throw new InvalidOperationException("the ACS endpoint is not an absolute https URL such as https://<resource>.communication.azure.com");
        if (uri.Scheme == Uri.UriSchemeHttp && !IsLoopback(uri))
            throw new InvalidOperationException("the ACS endpoint must use https (plain http is accepted only for a loopback host, for local testing)");
        return new AcsEndpoint(new Uri(uri.GetLeftPart(UriPartial.Authority) + "/"), key);
    }

    public static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
}
