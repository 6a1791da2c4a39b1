using System.Diagnostics;
using System.Diagnostics.Metrics;
using DeadlineAlerts.Core.Rendering;

namespace DeadlineAlerts.App;

/// <summary>
/// The figures a person charts, from the <see cref="MeterName"/> meter (names, units and queries in
/// docs/telemetry.md). Each is recorded where the matching log event of <see cref="Telemetry"/> is written, so a
/// chart and a log search count the same things. Tags are low-cardinality only: the channel's type and the
/// message's kind, never an id or a target.
/// </summary>
public sealed class AlertMetrics
{
    /// <summary>The meter's name, and the name of the <see cref="ActivitySource"/> of DeadlineAlerts' own spans.</summary>
    public const string MeterName = "DeadlineAlerts";

    public const string ChannelTypeTag = "channel.type";
    public const string MessageKindTag = "message.kind";

    /// <summary>DeadlineAlerts' own spans: one per tick, one per delivered queue message.</summary>
    public static readonly ActivitySource Source = new(MeterName);

    private readonly Counter<long> _planned;
    private readonly Counter<long> _delivered;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _retried;
    private readonly Histogram<double> _tickDuration;
    private readonly Histogram<double> _deliveryLag;

    public AlertMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _planned = meter.CreateCounter<long>("deadlinealerts.alerts.planned", "{delivery}",
            "Deliveries the tick put on the schedule to send (one per alert and channel)");
        _delivered = meter.CreateCounter<long>("deadlinealerts.alerts.delivered", "{delivery}",
            "Deliveries a channel accepted");
        _failed = meter.CreateCounter<long>("deadlinealerts.alerts.failed", "{delivery}",
            "Deliveries given up: a permanent failure, attempts exhausted, or a message that could not be composed");
        _retried = meter.CreateCounter<long>("deadlinealerts.alerts.retried", "{delivery}",
            "Sends that failed transiently and were queued to be tried again");
        _tickDuration = meter.CreateHistogram("deadlinealerts.tick.duration", "s",
            "How long one tick (scan) took", advice: new InstrumentAdvice<double>
            {
                HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
            });
        _deliveryLag = meter.CreateHistogram("deadlinealerts.delivery.lag", "s",
            "How long after its fire time a delivery was accepted by its channel", advice: new InstrumentAdvice<double>
            {
                HistogramBucketBoundaries = [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 21600, 86400],
            });
    }

    public void Planned(string channelType, MessageKind kind) => _planned.Add(1, Tags(channelType, kind));

    public void Delivered(string channelType, MessageKind kind, TimeSpan afterFireTime)
    {
        var tags = Tags(channelType, kind);
        _delivered.Add(1, tags);
        _deliveryLag.Record(Math.Max(0, afterFireTime.TotalSeconds), tags);
    }

    public void Failed(string channelType, MessageKind kind) => _failed.Add(1, Tags(channelType, kind));

    public void Retried(string channelType, MessageKind kind) => _retried.Add(1, Tags(channelType, kind));

    public void TickCompleted(TimeSpan duration) => _tickDuration.Record(duration.TotalSeconds);

    private static TagList Tags(string channelType, MessageKind kind) =>
        new() { { ChannelTypeTag, channelType }, { MessageKindTag, kind.Wire() } };
}
