using System.Text;
using DeadlineAlerts.App.Api;
using DeadlineAlerts.Testing;

namespace DeadlineAlerts.App.Tests;

/// <summary>An installation that signs subscriber links, and requests to its API built from the links it sends.</summary>
internal static class SubscriberLinksSetup
{
    public const string PublicBaseUrl = "https://alerts.example.org";
    public static readonly string Key = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    public static Dictionary<string, string?> Settings(params (string Key, string? Value)[] more)
    {
        var settings = new Dictionary<string, string?>
        {
            ["DeadlineAlerts:UnsubscribeKey"] = Key,
            ["DeadlineAlerts:PublicBaseUrl"] = PublicBaseUrl,
        };
        foreach (var (k, v) in more) settings[k] = v;
        return settings;
    }

    /// <summary>The request a browser or mail client makes for <paramref name="url"/> (a link this installation issued).</summary>
    public static ApiRequest Request(string method, string url, string? body = null)
    {
        var uri = new Uri(url);
        var query = uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => p.Length > 1 ? Uri.UnescapeDataString(p[1]) : "");
        return new ApiRequest
        {
            Method = method,
            Path = uri.AbsolutePath,
            Query = query,
            Headers = body is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["Content-Type"] = "application/x-www-form-urlencoded" },
            Body = Encoding.UTF8.GetBytes(body ?? ""),
        };
    }

    public static Task<ApiResponse> SendAsync(this TestInstallation t, string method, string url, string? body = null) =>
        t.Get<ApiRouter>().HandleAsync(Request(method, url, body));
}
