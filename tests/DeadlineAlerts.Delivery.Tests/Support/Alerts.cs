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

    public static AlertMessage Sample(string title = "US-China tariff truce expires", string? source = "https://example.org/notice?id=1&x=2",
        string? notes = null, bool late = false, string subscriberId = "desk-1", string? category = "trade", string? unsubscribeUrl = Unsubscribe,
        string? acknowledgeUrl = Acknowledge)
    {
        var lead = LeadTime.Parse("P7D");
        var fireAt = Due - Duration.FromDays(7);
        return new AlertMessage
        {
            MessageId = MessageId.ForAlert("tariff-truce", Due, subscriberId, lead),
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
            UnsubscribeUrl = unsubscribeUrl,
            AcknowledgeUrl = acknowledgeUrl,
        };
    }

    /// <summary>What delivery puts on an alert's view: its signed "Got it" link.</summary>
    public const string Acknowledge = "https://alerts.example.com/api/acknowledge?token=ghi.jkl";

    /// <summary>What delivery puts on the view: a signed link that removes this channel.</summary>
    public const string Unsubscribe = "https://alerts.example.com/api/unsubscribe?token=abc.def";

    /// <summary>Mon 10 Nov 2025 00:01 EST = 05:01 UTC: the truce extended by 90 days.</summary>
    public static readonly Instant Extended = Instant.FromUtc(2025, 11, 10, 5, 1);

    /// <summary>The change notice for the 90-day extension, read in London.</summary>
    public static NoticeMessage ExtensionNotice(string? reason = "Truce extended by executive order")
    {
        var alert = Sample();
        return new NoticeMessage
        {
            MessageId = new MessageId("nt_0123456789abcdef"),
            DeadlineId = alert.DeadlineId,
            Title = alert.Title,
            Category = alert.Category,
            Source = alert.Source,
            SubscriberId = alert.SubscriberId,
            SubscriberName = alert.SubscriberName,
            DeadlineZone = alert.DeadlineZone,
            SubscriberZone = alert.SubscriberZone,
            UnsubscribeUrl = alert.UnsubscribeUrl,
            DueAt = Extended,
            FireAt = Due - Duration.FromDays(1),
            Now = Due - Duration.FromDays(1),
            Notice = new NoticeFacts(ChangeKind.Extended, Due, Extended, reason, "operator"),
        };
    }

    public const string HostileTitle = "<script>alert(1)</script>\r\nBcc: victim@example.com";
}
