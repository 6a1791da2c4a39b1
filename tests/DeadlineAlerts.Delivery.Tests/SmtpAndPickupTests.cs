using System.Globalization;
using DeadlineAlerts.Core.Delivery;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Delivery.Email;
using DeadlineAlerts.Delivery.Email.Pickup;
using DeadlineAlerts.Delivery.Tests.Support;
using MimeKit;

namespace DeadlineAlerts.Delivery.Tests;

public sealed class SmtpAndPickupTests : IAsyncLifetime
{
    private LoopbackSmtpServer _smtp = null!;
    private static readonly ChannelSpec Inbox = new() { Type = ChannelSpec.Email, Target = "desk@example.com" };

    public Task InitializeAsync() { _smtp = LoopbackSmtpServer.Start(); return Task.CompletedTask; }
    public async Task DisposeAsync() => await _smtp.DisposeAsync();

    private IServiceProvider Smtp(params (string Key, string? Value)[] more)
    {
        var settings = new Dictionary<string, string?>
        {
            ["DeadlineAlerts:Email:Transport"] = "smtp",
            ["DeadlineAlerts:Email:From"] = "alerts@example.com",
            ["DeadlineAlerts:Email:Smtp:Host"] = "127.0.0.1",
            ["DeadlineAlerts:Email:Smtp:Port"] = _smtp.Port.ToString(CultureInfo.InvariantCulture),
            ["DeadlineAlerts:Email:Smtp:UseStartTls"] = "false",
        };
        foreach (var (k, v) in more) settings[k] = v;
        return DeliveryHost.Build(settings);
    }

    private static Task<DeliveryOutcome> Send(IServiceProvider host, Core.Rendering.MessageView? alert = null, ChannelSpec? to = null) =>
        host.Channel("email").SendAsync(alert ?? Alerts.Sample(), to ?? Inbox, CancellationToken.None);

    [Fact]
    public async Task Smtp_delivers_a_multipart_email_with_message_id_from_the_alert_and_unsubscribe_headers()
    {
        var alert = Alerts.Sample();

        var outcome = await Send(Smtp(), alert);

        Assert.Equal(DeliveryStatus.Delivered, outcome.Status);
        var message = Assert.Single(_smtp.Messages);
        Assert.Equal($"{alert.MessageId.Value}.{Inbox.Id}@example.com", message.MessageId);
        Assert.Equal(message.MessageId, outcome.ProviderMessageId);
        // Date is the real time although the schedule clock stands in 2025 (DeliveryHost, as under `dla --now`).
        Assert.InRange(message.Date, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Equal("7 days left: US-China tariff truce expires, Tue 12 Aug 00:01 EDT", message.Subject);
        Assert.Equal("desk@example.com", message.To.Mailboxes.Single().Address);
        Assert.Equal($"<{Alerts.Unsubscribe}>", message.Headers["List-Unsubscribe"]);
        Assert.Equal("List-Unsubscribe=One-Click", message.Headers["List-Unsubscribe-Post"]);
        Assert.Contains("Your time: Tue 12 Aug 2025 05:01 BST (Europe/London)", message.TextBody);
        Assert.Contains("Tue 12 Aug 2025 00:01 EDT (America/New_York)", message.HtmlBody);
    }

    [Fact]
    public async Task Smtp_hostile_title_cannot_add_headers_or_markup()
    {
        await Send(Smtp(), Alerts.Sample(title: Alerts.HostileTitle));

        var message = Assert.Single(_smtp.Messages);
        Assert.Empty(message.Bcc);
        Assert.DoesNotContain('\n', message.Subject!);
        Assert.StartsWith("7 days left: <script>alert(1)</script> Bcc: victim@example.com,", message.Subject);
        Assert.DoesNotContain("<script>", message.HtmlBody);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", message.HtmlBody);
    }

    [Fact]
    public async Task Smtp_550_recipient_rejected_is_permanent_and_marks_the_address_broken()
    {
        _smtp.RecipientReplies["desk@example.com"] = 550;

        var outcome = await Send(Smtp());

        Assert.Equal(DeliveryStatus.Permanent, outcome.Status);
        Assert.True(outcome.ChannelBroken);
        Assert.StartsWith("SMTP 550 (RecipientNotAccepted)", outcome.Reason);
    }

    [Fact]
    public async Task Smtp_451_temporary_failure_is_a_retry()
    {
        _smtp.RecipientReplies["desk@example.com"] = 451;

        var outcome = await Send(Smtp());

        Assert.Equal(DeliveryStatus.Retry, outcome.Status);
        Assert.StartsWith("SMTP 451", outcome.Reason);
    }

    [Fact]
    public async Task Smtp_connection_refused_is_a_retry()
    {
        var outcome = await Send(Smtp(("DeadlineAlerts:Email:Smtp:Port", LoopbackSmtpServer.FreePort().ToString(CultureInfo.InvariantCulture))));

        Assert.Equal(DeliveryStatus.Retry, outcome.Status);
        Assert.StartsWith("SMTP connection failed", outcome.Reason);
    }

    [Fact]
    public async Task Smtp_plain_text_to_a_non_loopback_host_is_refused_and_never_connects()
    {
        var host = Smtp(("DeadlineAlerts:Email:Smtp:Host", "smtp.example.com"), ("DeadlineAlerts:Email:Smtp:Password", "hunter2"));

        var outcome = await Send(host);

        Assert.Equal(DeliveryStatus.Retry, outcome.Status);
        Assert.Contains("SMTP without TLS is accepted only for a loopback host", outcome.Reason);
        Assert.DoesNotContain("hunter2", outcome.Reason);
    }

    [Fact]
    public async Task Email_to_an_invalid_address_is_permanent_and_broken_without_sending()
    {
        var outcome = await Send(Smtp(), to: Inbox with { Target = "not an address" });

        Assert.Equal(DeliveryStatus.Permanent, outcome.Status);
        Assert.True(outcome.ChannelBroken);
        Assert.Empty(_smtp.Messages);
    }

    [Fact]
    public async Task Pickup_writes_one_eml_per_alert_and_a_retry_does_not_duplicate_it()
    {
        var folder = Directory.CreateTempSubdirectory("deadline-alerts-pickup-").FullName;
        try
        {
            var host = DeliveryHost.Build(new Dictionary<string, string?>
            {
                ["DeadlineAlerts:Email:Transport"] = "pickup",
                ["DeadlineAlerts:Email:PickupDirectory"] = folder,
            });

            var first = await Send(host);
            var again = await Send(host);

            Assert.Equal(DeliveryStatus.Delivered, first.Status);
            Assert.Equal(first, again);
            var file = Assert.Single(Directory.GetFiles(folder));
            Assert.EndsWith(".eml", file);
            var message = await MimeMessage.LoadAsync(file);
            Assert.Equal("7 days left: US-China tariff truce expires, Tue 12 Aug 00:01 EDT", message.Subject);
            Assert.Contains(Alerts.Unsubscribe, message.TextBody);
            Assert.Equal($"<{Alerts.Unsubscribe}>", message.Headers["List-Unsubscribe"]);
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    /// <summary>RFC 5322 allows 998 characters a line; the pickup file was raw 8-bit with lines of 2,500+.</summary>
    [Fact]
    public async Task Pickup_eml_is_seven_bit_with_lines_of_at_most_998_characters_and_decodes_to_the_same_text()
    {
        var folder = Directory.CreateTempSubdirectory("deadline-alerts-pickup-").FullName;
        try
        {
            var host = DeliveryHost.Build(new Dictionary<string, string?>
            {
                ["DeadlineAlerts:Email:Transport"] = "pickup",
                ["DeadlineAlerts:Email:PickupDirectory"] = folder,
            });
            var notes = string.Concat(Enumerable.Repeat("Zölle für Stahl aus Zürich — 関税 — ", 120)).Trim(); // one line of ~4,000 characters
            var title = "Tarif douanier révisé: Überprüfung der Zölle";

            Assert.Equal(DeliveryStatus.Delivered, (await Send(host, Alerts.Sample(title: title, notes: notes))).Status);

            var file = Assert.Single(Directory.GetFiles(folder));
            var bytes = await File.ReadAllBytesAsync(file);
            Assert.All(bytes, b => Assert.True(b < 0x80, $"byte 0x{b:x2} is not 7-bit"));
            var text = System.Text.Encoding.ASCII.GetString(bytes);
            Assert.DoesNotContain("\n", text.Replace("\r\n", "")); // every line ends in CRLF, as on the wire
            var lines = text.Split("\r\n");
            Assert.True(lines.Max(l => l.Length) <= 998, $"longest line: {lines.Max(l => l.Length)} characters");
            var message = await MimeMessage.LoadAsync(file);
            Assert.Contains(notes, message.TextBody);
            Assert.Contains(notes, System.Net.WebUtility.HtmlDecode(message.HtmlBody));
            Assert.StartsWith($"7 days left: {title}", message.Subject);
            Assert.All(message.BodyParts.OfType<TextPart>(), p => Assert.Contains(p.ContentTransferEncoding, new[] { ContentEncoding.QuotedPrintable, ContentEncoding.Base64 }));
        }
        finally { Directory.Delete(folder, recursive: true); }
    }
}
