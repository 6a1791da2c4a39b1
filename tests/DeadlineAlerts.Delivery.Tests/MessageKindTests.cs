using DeadlineAlerts.Core.Rendering;
using DeadlineAlerts.Delivery.Email;
using DeadlineAlerts.Delivery.Slack;
using DeadlineAlerts.Delivery.Teams;
using DeadlineAlerts.Delivery.Tests.Support;
using DeadlineAlerts.Delivery.Webhook;

namespace DeadlineAlerts.Delivery.Tests;

/// <summary>
/// Every channel renders each of the three message kinds with what that kind says, and refuses a kind it does not
/// know rather than sending something half-rendered.
/// </summary>
public sealed class MessageKindTests
{
    public static TheoryData<string> Kinds => ["alert", "notice", "digest"];

    private static MessageView Of(string kind) => kind switch
    {
        "alert" => Alerts.Sample(),
        "notice" => Alerts.ExtensionNotice(),
        _ => DigestRenderingTests.Digest(),
    };

    /// <summary>The words only that kind says: the countdown, the change, the digest's summary.</summary>
    private static string Telling(string kind) => kind switch
    {
        "alert" => "7 days left",
        "notice" => "Extended by 90 days",
        _ => "Weekly deadline digest",
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_channel_says_what_the_kind_says(string kind)
    {
        var message = Of(kind);
        var rendered = new Dictionary<string, string>
        {
            ["slack"] = SlackMessage.Build(message).ToJsonString(),
            ["teams"] = TeamsMessage.Build(message).ToJsonString(),
            ["webhook"] = WebhookChannel.Body(message),
            ["email subject"] = EmailRenderer.Subject(message),
            ["email text"] = EmailRenderer.PlainText(message, null),
            ["email html"] = EmailRenderer.Html(message, null),
        };
        var missing = rendered.Where(r => !r.Value.Contains(Telling(kind), StringComparison.Ordinal)).Select(r => r.Key).ToList();
        Assert.Empty(missing);
        Assert.Contains($"\"type\":\"{WebhookPayload.TypeOf(message.Kind)}\"", rendered["webhook"]);
    }

    private sealed record Unknown : MessageView
    {
        public override MessageKind Kind => MessageKind.Alert;
        public override string Headline => "unknown";
        public override string PlainText => "unknown";
    }

    [Fact]
    public void A_kind_no_channel_knows_is_refused_not_sent_half_rendered()
    {
        var a = Alerts.Sample();
        var unknown = new Unknown
        {
            MessageId = a.MessageId,
            Title = a.Title,
            SubscriberId = a.SubscriberId,
            SubscriberName = a.SubscriberName,
            SubscriberZone = a.SubscriberZone,
            FireAt = a.FireAt,
            Now = a.Now,
        };
        Assert.Throws<ArgumentOutOfRangeException>(() => SlackMessage.Build(unknown));
        Assert.Throws<ArgumentOutOfRangeException>(() => TeamsMessage.Build(unknown));
        Assert.Throws<ArgumentOutOfRangeException>(() => WebhookChannel.Body(unknown));
        Assert.Throws<ArgumentOutOfRangeException>(() => EmailRenderer.Html(unknown, null));
    }
}
