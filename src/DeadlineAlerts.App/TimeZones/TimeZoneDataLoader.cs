using System.Net.Http.Headers;
using Azure.Core;
using DeadlineAlerts.Core.Time;
using Microsoft.Extensions.Options;

namespace DeadlineAlerts.App.TimeZones;

/// <summary>Setting <c>DeadlineAlerts__TimeZoneData</c>: where the tz data comes from.</summary>
public sealed class TimeZoneDataOptions
{
    /// <summary>
    /// Unset: the data embedded in NodaTime. A path: a NodaTime <c>.nzd</c> file. An https URI: a blob holding
    /// one, read with the app's identity (the same <see cref="TokenCredential"/> as storage way 2; the identity
    /// needs Storage Blob Data Reader on it).
    /// </summary>
    public string? TimeZoneData { get; set; }
}

/// <summary>
/// Loads the tz data once at start and makes it the process's (<see cref="Zones.Use"/>), before storage is
/// touched: <see cref="Hosting.ServiceCollectionExtensions"/> resolves it when it builds the storage clients.
/// </summary>
public static class TimeZoneDataLoader
{
    public static TimeZoneData Load(IOptions<TimeZoneDataOptions> options, Func<TokenCredential> credential)
    {
        var location = options.Value.TimeZoneData?.Trim();
        var data = string.IsNullOrEmpty(location) ? TimeZoneData.Embedded : Read(location, credential);
        Zones.Use(data.Provider);
        return data;
    }

    private static TimeZoneData Read(string location, Func<TokenCredential> credential)
    {
        if (Uri.TryCreate(location, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http")
        {
            var shown = uri.GetLeftPart(UriPartial.Path);
            var token = credential().GetToken(new TokenRequestContext(["https://storage.azure.com/.default"]), default);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
            request.Headers.Add("x-ms-version", "2021-08-06");
            using var response = http.Send(request);
            if (!response.IsSuccessStatusCode)
                throw new ArgumentException(
                    $"DeadlineAlerts__TimeZoneData: reading {shown} answered {(int)response.StatusCode}; check the blob exists and the app's identity has Storage Blob Data Reader on it");
            using var body = new MemoryStream();
            response.Content.ReadAsStream().CopyTo(body);
            body.Position = 0;
            return FromStream(body, shown);
        }
        if (!File.Exists(location))
            throw new ArgumentException($"DeadlineAlerts__TimeZoneData: no file {location}; give the path of a NodaTime .nzd file, or unset it to use the embedded tz data");
        using var file = File.OpenRead(location);
        return FromStream(file, location);
    }

    private static TimeZoneData FromStream(Stream stream, string shown)
    {
        try { return TimeZoneData.FromStream(stream, shown); }
        catch (InvalidDataException e) { throw new ArgumentException(e.Message, e); }
    }
}
