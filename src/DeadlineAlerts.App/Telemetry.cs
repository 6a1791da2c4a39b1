using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Schedule;
using Microsoft.Extensions.Logging;

namespace DeadlineAlerts.App;

/// <summary>
/// Structured events, one per alert step and per tick (names and properties documented in
/// docs/telemetry.md; in Application Insights they are traces with these customDimensions).
/// No secrets: channels appear by id and type only.
/// </summary>
public static partial class Telemetry
{
    [LoggerMessage(EventId = 1001, EventName = "AlertPlanned", Level = LogLevel.Information,
        Message = "Planned alert {AlertId} for {DeadlineId} to {SubscriberId} ({LeadTime} before, fires {FireAt})")]
    public static partial void AlertPlanned(this ILogger logger, MessageId alertId, DeadlineId deadlineId, SubscriberId subscriberId, string leadTime, string fireAt);

    [LoggerMessage(EventId = 1002, EventName = "AlertDelivered", Level = LogLevel.Information,
        Message = "Delivered alert {AlertId} via {ChannelType} {ChannelId} after {Attempts} attempt(s), {LatencyMs} ms after its fire time")]
    public static partial void AlertDelivered(this ILogger logger, MessageId alertId, ChannelId channelId, string channelType, int attempts, long latencyMs);

    [LoggerMessage(EventId = 1003, EventName = "AlertFailed", Level = LogLevel.Warning,
        Message = "Alert {AlertId} via {ChannelType} {ChannelId} failed after {Attempts} attempt(s): {Reason}")]
    public static partial void AlertFailed(this ILogger logger, MessageId alertId, ChannelId channelId, string channelType, int attempts, string reason);

    [LoggerMessage(EventId = 1004, EventName = "AlertRetrying", Level = LogLevel.Information,
        Message = "Alert {AlertId} via {ChannelType} {ChannelId} will be retried in {DelayMs} ms (attempt {Attempts}): {Reason}")]
    public static partial void AlertRetrying(this ILogger logger, MessageId alertId, ChannelId channelId, string channelType, int attempts, long delayMs, string reason);

    [LoggerMessage(EventId = 1005, EventName = "AlertLate", Level = LogLevel.Warning,
        Message = "Alert {AlertId} is late by {LateByMs} ms")]
    public static partial void AlertLate(this ILogger logger, MessageId alertId, long lateByMs);

    [LoggerMessage(EventId = 1006, EventName = "AlertSkipped", Level = LogLevel.Information,
        Message = "Skipped alert {AlertId}: {Reason}")]
    public static partial void AlertSkipped(this ILogger logger, MessageId alertId, string reason);

    [LoggerMessage(EventId = 1010, EventName = "TickCompleted", Level = LogLevel.Information,
        Message = "Tick over ({WindowStart}, {WindowEnd}] planned {AlertsPlanned} alert(s) in {DurationMs} ms with {StorageRequests} storage request(s)")]
    public static partial void TickCompleted(this ILogger logger, long durationMs, string windowStart, string windowEnd, int alertsPlanned, long storageRequests);

    [LoggerMessage(EventId = 1060, EventName = "DeadlineMovedByZoneRules", Level = LogLevel.Warning,
        Message = "Deadline {DeadlineId}: time zone rules for {Zone} changed ({Reason}); due {Was} is now {Now}")]
    public static partial void DeadlineMovedByZoneRules(this ILogger logger, DeadlineId deadlineId, string zone, string was, string now, string reason);

    [LoggerMessage(EventId = 1061, EventName = "Replanned", Level = LogLevel.Information,
        Message = "Re-planned with tz data {To} (was {From}): {Moved} deadline(s) moved, {Scheduled} alert(s) at new instants, {SentNow} sent at once, {AlreadySent} already sent")]
    public static partial void Replanned(this ILogger logger, string from, string to, int moved, int scheduled, int sentNow, int alreadySent);

    [LoggerMessage(EventId = 1062, EventName = "ReplanFailed", Level = LogLevel.Error,
        Message = "Re-planning with the tz data in use failed ({ErrorType}: {Error}); the next tick tries again")]
    public static partial void ReplanFailed(this ILogger logger, string errorType, string error);

    [LoggerMessage(EventId = 1020, EventName = "DigestPlanned", Level = LogLevel.Information,
        Message = "Digest {DigestId} for {SubscriberId} via {ChannelId}, period {Period}: {Status}")]
    public static partial void DigestPlanned(this ILogger logger, MessageId digestId, SubscriberId subscriberId, ChannelId channelId, string period, string status);

    [LoggerMessage(EventId = 1030, EventName = "RecordUnreadable", Level = LogLevel.Error,
        Message = "Unreadable {RecordKind} {RecordId}: {Field} {Problem}; its alerts are set aside, every other alert goes on")]
    public static partial void RecordUnreadable(this ILogger logger, string recordKind, string recordId, string field, string problem);

    [LoggerMessage(EventId = 1031, EventName = "SweepRequeued", Level = LogLevel.Warning,
        Message = "Sweep re-queued {Requeued} unfinished delivery(ies) whose queue message was lost or whose worker vanished")]
    public static partial void SweepRequeued(this ILogger logger, int requeued);

    [LoggerMessage(EventId = 1032, EventName = "AlertSuperseded", Level = LogLevel.Information,
        Message = "Alert {AlertId} superseded: {Reason}")]
    public static partial void AlertSuperseded(this ILogger logger, MessageId alertId, string reason);

    [LoggerMessage(EventId = 1033, EventName = "HorizonExtended", Level = LogLevel.Information,
        Message = "Recurring deadlines: horizon extended for {Deadlines} series, {Alerts} alert(s) of their next occurrences planned")]
    public static partial void HorizonExtended(this ILogger logger, int deadlines, int alerts);

    [LoggerMessage(EventId = 1040, EventName = "HostStepFailed", Level = LogLevel.Error,
        Message = "{Step} failed ({Error}); the host keeps running and tries again next period")]
    public static partial void HostStepFailed(this ILogger logger, string step, string error);

    /// <summary>One health check (<c>GET /api/health</c>): Information when healthy, Warning when degraded or unhealthy,
    /// with the figures an alert rule reads (docs/telemetry.md, "Alert rule on health").</summary>
    [LoggerMessage(EventId = 1050, EventName = "HealthChecked",
        Message = "Health {Status} ({Problems}): {QueuedMessages} queued, oldest waiting {OldestMessageAgeSeconds} s, {OverdueRows} overdue row(s), last tick {LagSeconds} s ago")]
    public static partial void HealthChecked(this ILogger logger, LogLevel level, string status, string problems, int? queuedMessages,
        double? oldestMessageAgeSeconds, int? overdueRows, double? lagSeconds);
}
