using System.Text.Json;
using DeadlineAlerts.App.Import;
using DeadlineAlerts.Core.Records;

namespace DeadlineAlerts.Testing;

/// <summary>Builds import files in a few readable lines.</summary>
public static class Records
{
    public static object Deadline(string id, string due, string zone = "America/New_York", string category = "tariff",
        string[]? leadTimes = null, string? title = null) =>
        new { id, title = title ?? $"Deadline {id}", due, timeZone = zone, category, leadTimes = leadTimes ?? new[] { "P7D", "P1D", "PT1H", "PT0S" } };

    public static object Subscriber(string id, string url, string zone = "Asia/Shanghai", string[]? categories = null, string[]? leadTimes = null) =>
        new
        {
            id,
            name = $"Subscriber {id}",
            timeZone = zone,
            categories = categories ?? new[] { "tariff" },
            leadTimes,
            channels = new[] { new { type = "webhook", url, secret = "whsec_" + Convert.ToBase64String(new byte[32]) } }
        };

    private static readonly JsonSerializerOptions FileJson = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    public static string File(object[] deadlines, object[] subscribers) => JsonSerializer.Serialize(new { deadlines, subscribers }, FileJson);

    public static async Task<ImportResult> ImportAsync(this TestInstallation t, string json) =>
        await t.Get<ImportService>().ImportAsync(t.Get<RecordReader>().ReadJson(json, t.Clock.GetCurrentInstant()));
}
