using DeadlineAlerts.Core.Pipeline;
using DeadlineAlerts.Core.Rendering;
using DeadlineAlerts.Core.Schedule;
using DeadlineAlerts.Storage.Ledger;
using NodaTime;

namespace DeadlineAlerts.App.Tests;

/// <summary>The ledger row's state machine: the one table of allowed moves, and what each move records.</summary>
public class LedgerTransitionTests
{
    private static readonly Instant At = Instant.FromUtc(2025, 8, 5, 4, 1);

    private static LedgerEntry Planned() => LedgerEntry.Plan(new Dispatch
    {
        MessageId = new MessageId("al_1"),
        Kind = MessageKind.Alert,
        DeadlineId = "d",
        SubscriberId = "s",
        ChannelId = "webhook-1",
        ChannelType = "webhook",
        SendAt = At,
        DueAt = At + Duration.FromDays(7),
        KeyAt = At,
        LeadTime = "P7D",
    }, At);

    [Fact]
    public void Only_the_documented_moves_are_allowed_and_final_states_never_move()
    {
        var allowed = LedgerStatuses.All.SelectMany(from => LedgerStatuses.All.Where(to => LedgerStatuses.CanMove(from, to)).Select(to => $"{from.Wire()}→{to.Wire()}"))
            .Order().ToArray();
        Assert.Equal(new[]
        {
            "planned→acknowledged", "planned→cancelled", "planned→failed", "planned→sending", "planned→superseded",
            "retrying→acknowledged", "retrying→cancelled", "retrying→failed", "retrying→sending",
            "sending→acknowledged", "sending→cancelled", "sending→delivered", "sending→failed", "sending→retrying", "sending→sending",
        }.Order(), allowed);
        Assert.All(LedgerStatuses.All.Where(s => s.IsFinal()), final => Assert.DoesNotContain(LedgerStatuses.All, to => LedgerStatuses.CanMove(final, to)));
    }

    [Fact]
    public void A_delivery_counts_one_attempt_and_a_cancelled_claim_counts_none()
    {
        var claimed = Planned().Claim(At + Duration.FromMinutes(2));
        Assert.Equal((LedgerStatus.Sending, 0), (claimed.Status, claimed.Attempts));
        var delivered = claimed.Deliver(At + Duration.FromSeconds(1), "msg-1");
        Assert.Equal((LedgerStatus.Delivered, 1, "msg-1", (Instant?)null), (delivered.Status, delivered.Attempts, delivered.ProviderMessageId, delivered.LeaseUntil));
        var cancelled = Planned().Claim(At + Duration.FromMinutes(2)).Cancel(At, "no longer applies");
        Assert.Equal((LedgerStatus.Cancelled, 0), (cancelled.Status, cancelled.Attempts));
    }

    [Fact]
    public void Reclaiming_a_row_whose_lease_ran_out_counts_the_vanished_workers_attempt()
    {
        var first = Planned().Claim(At + Duration.FromMinutes(2));
        var again = first.Claim(At + Duration.FromMinutes(4));
        Assert.Equal((LedgerStatus.Sending, 1), (again.Status, again.Attempts));
        Assert.Equal(2, again.Retry(At, At + Duration.FromSeconds(5), "timeout").Attempts);
    }

    [Fact]
    public void A_final_row_refuses_to_move_with_a_message_naming_both_states()
    {
        var delivered = Planned().Claim(At).Deliver(At, null);
        var e = Assert.Throws<InvalidOperationException>(() => delivered.Claim(At));
        Assert.Contains("from delivered to sending", e.Message);
        Assert.Throws<InvalidOperationException>(() => Planned().Deliver(At, null)); // never sent without a claim
    }

    [Fact]
    public void A_dispatch_to_a_broken_channel_is_recorded_as_skipped_with_the_reason()
    {
        var row = LedgerEntry.Plan(new Dispatch
        {
            MessageId = new MessageId("al_2"),
            Kind = MessageKind.Alert,
            DeadlineId = "d",
            SubscriberId = "s",
            ChannelId = "slack-1",
            ChannelType = "slack",
            ChannelBroken = "channel_is_archived",
            SendAt = At,
            DueAt = At,
            KeyAt = At,
            LeadTime = "PT0S",
        }, At);
        Assert.Equal((LedgerStatus.Skipped, "channel is marked broken: channel_is_archived", (Instant?)At), (row.Status, row.LastError, row.CompletedAt));
    }

    [Fact]
    public void One_fire_minute_spreads_over_the_ledger_shards_and_keys_sort_by_time()
    {
        var partitions = Enumerable.Range(0, 2000).Select(i => LedgerKeys.Partition(At, $"subscriber-{i}")).Distinct().ToList();
        Assert.Equal(LedgerKeys.Shards, partitions.Count);
        Assert.All(partitions, p => Assert.StartsWith("20250805-", p));
        Assert.True(string.CompareOrdinal(LedgerKeys.RowKey(At, new MessageId("al_z"), "c"), LedgerKeys.RowKey(At + Duration.FromSeconds(1), new MessageId("al_a"), "c")) < 0);
    }
}
