using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Schedule;
using NodaTime;
using NodaTime.Text;

namespace DeadlineAlerts.Core.Tests;

/// <summary>Test data in a few readable lines. Expected instants are always written as UTC literals.</summary>
internal static class Given
{
    public static Instant Utc(string iso) => InstantPattern.ExtendedIso.Parse(iso).GetValueOrThrow();

    public static DateTimeZone Zone(string id) => DateTimeZoneProviders.Tzdb[id];

    /// <summary>A due time the way an operator types it: local text in an IANA zone.</summary>
    public static DueTime Due(string local, string zone)
    {
        var parsed = DueTime.Parse(local, Zone(zone));
        Assert.Null(parsed.Problem);
        return parsed.Value!;
    }

    public static ZonedDateTime DueZoned(string local, string zone) => Due(local, zone).Zoned;

    public static Deadline Deadline(string id = "us-x", string due = "2026-03-09T09:00", string zone = "America/New_York",
        string? category = "tariff", string[]? leadTimes = null, DeadlineStatus status = DeadlineStatus.Active,
        string armedAt = "2026-01-01T00:00:00Z") => new()
        {
            Id = id,
            Title = $"Deadline {id}",
            Due = Due(due, zone),
            Category = category,
            LeadTimes = (leadTimes ?? []).Select(LeadTime.Parse).ToList(),
            Status = status,
            ArmedAt = Utc(armedAt),
        };

    public static Subscriber Subscriber(string id = "desk", string[]? categories = null, string[]? deadlines = null,
        string[]? leadTimes = null, string? zone = null, string createdAt = "2026-01-01T00:00:00Z") => new()
        {
            Id = id,
            Name = $"Subscriber {id}",
            TimeZone = zone is null ? null : Zone(zone),
            Categories = categories ?? (deadlines is null ? ["tariff"] : []),
            DeadlineIds = (deadlines ?? []).Select(DeadlineId.From).ToList(),
            LeadTimes = (leadTimes ?? []).Select(LeadTime.Parse).ToList(),
            CreatedAt = Utc(createdAt),
        };
}
