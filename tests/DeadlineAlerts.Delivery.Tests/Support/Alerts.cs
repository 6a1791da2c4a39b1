using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Rendering;
using DeadlineAlerts.Core.Schedule;
using NodaTime;

namespace DeadlineAlerts.Delivery.Tests.Support;

public static class Alerts
{
    public static readonly DateTimeZone NewYork = DateTimeZoneProviders.Tzdb["America/New_York"];
    public static readonly DateTimeZone London = DateTimeZoneProviders.Tzdb["Europe/London"];

    /// <summary>Tue 12 Aug 2025 00:01 EDT = 04:01 UTC.</summary>
    public static readonly Instant Due = Instant.FromUtc(2025, 8, 12, 4, 1);

    public static AlertView Sample(string title = "US-China tariff truce expires", string? source = "https://example.org/notice?id=1&x=2",
        string? notes = null, bool late = false, string subscriberId = "desk-1", string? category = "trade")
    {
        var lead = LeadTime.Parse("P7D");
        var fireAt = Due - Duration.FromDays(7);
        return new AlertView
        {
            AlertId = AlertId.For("tariff-truce", Due, subscriberId, lead),
            DeadlineId = "tariff-truce",
            Title = title,
            Category = category,
            Source = source,
            Notes = notes,
            SubscriberId = subscriberId,
            SubscriberName = "Trade desk",
            DueAt = Due,
            DeadlineZone = NewYork,
            SubscriberZone = London,
            LeadTime = lead,
            FireAt = fireAt,
            Now = fireAt,
            Late = late,
        };
    }

    /// <summary>Mon 10 Nov 2025 00:01 EST = 05:01 UTC: the truce extended by 90 days.</summary>
    public static readonly Instant Extended = Instant.FromUtc(2025, 11, 10, 5, 1);

    /// <summary>The change notice for the 90-day extension, read in London.</summary>
    public static AlertView ExtensionNotice(string? reason = "Truce extended by executive order") => Sample() with
    {
        Kind = MessageKind.Notice,
        AlertId = new AlertId("nt_0123456789abcdef"),
        LeadTime = null,
        DueAt = Extended,
        FireAt = Due - Duration.FromDays(1),
        Now = Due - Duration.FromDays(1),
        Notice = new NoticeFacts(ChangeKind.Extended, Due, Extended, reason, "operator"),
    };

    public const string HostileTitle = "<script>alert(1)</script>\r\nBcc: victim@example.com";
}
