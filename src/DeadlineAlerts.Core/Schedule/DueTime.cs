using System.Globalization;
using NodaTime;
using NodaTime.Text;
using NodaTime.TimeZones;

namespace DeadlineAlerts.Core.Schedule;

/// <summary>
/// A due time as an operator means it: a local date-time in an IANA zone, resolved to one instant.
/// <list type="bullet">
/// <item>A local time skipped by a DST change (a gap) moves forward by the length of the gap, with a warning.</item>
/// <item>An ambiguous local time (clocks went back) takes the earlier instant, unless the text carries an
/// offset (<c>2026-11-01T01:30-05:00</c>) that picks one; an offset the zone never has then is an error.</item>
/// </list>
/// </summary>
public sealed record DueTime(LocalDateTime Local, DateTimeZone Zone, Instant Instant)
{
    /// <summary>Gap: shift forward by the gap; overlap: the earlier instant.</summary>
    public static readonly ZoneLocalMappingResolver OperatorResolver =
        Resolvers.CreateMappingResolver(Resolvers.ReturnEarlier, Resolvers.ReturnForwardShifted);

    private static readonly LocalDateTimePattern[] LocalPatterns =
    [
        LocalDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm"),
        LocalDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm':'ss"),
        LocalDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm':'ss;FFFFFFFFF"),
    ];

    private static readonly OffsetDateTimePattern[] OffsetPatterns =
    [
        OffsetDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mmo<G>"),
        OffsetDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm':'sso<G>"),
        OffsetDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm':'ss;FFFFFFFFFo<G>"),
    ];

    public ZonedDateTime Zoned => Instant.InZone(Zone);

    /// <summary>The local text as stored and exported: what the operator typed, normalised.</summary>
    public string LocalText => LocalDateTimePattern.ExtendedIso.Format(Local);

    /// <summary>
    /// The text that, imported again, means this same instant: <see cref="LocalText"/>, plus the offset when
    /// the local time is ambiguous and the instant is the later of the two (without the offset, an import
    /// would take the earlier one). Export writes this so that export → import changes nothing.
    /// </summary>
    public string ExportText
    {
        get
        {
            var mapping = Zone.MapLocal(Local);
            if (mapping.Count != 2 || mapping.First().ToInstant() == Instant) return LocalText;
            return LocalText + Instant.InZone(Zone).Offset.ToString("m", CultureInfo.InvariantCulture);
        }
    }

    /// <summary>
    /// The same local time in the same zone, resolved with the zone's rules as this process knows them (the tz data
    /// in use). A stored due time keeps the instant computed when it was written; when the tz data changed the
    /// zone's offset since, this is the instant the operator's local time means now. An instant that is still one
    /// of the local time's meanings (either side of an overlap) is kept.
    /// </summary>
    public DueTime UnderCurrentRules()
    {
        var mapping = Zone.MapLocal(Local);
        if (mapping.Count > 0 && (mapping.First().ToInstant() == Instant || mapping.Last().ToInstant() == Instant)) return this;
        return this with { Instant = Local.InZone(Zone, OperatorResolver).ToInstant() };
    }

    public static DueTimeParse Parse(string? text, DateTimeZone zone)
    {
        const string accepted = "a local date-time such as 2025-08-12T00:01, optionally with an offset such as 2026-11-01T01:30-05:00";
        if (string.IsNullOrWhiteSpace(text)) return DueTimeParse.Fail($"is missing; give {accepted}");
        text = text.Trim();
        if (text.EndsWith('Z') || text.EndsWith('z')) text = text[..^1] + "+00:00";

        foreach (var pattern in OffsetPatterns)
        {
            var r = pattern.Parse(text);
            if (!r.Success) continue;
            var odt = r.Value;
            var mapping = zone.MapLocal(odt.LocalDateTime);
            var candidates = mapping.Count switch { 0 => new List<ZonedDateTime>(), 1 => [mapping.Single()], _ => [mapping.First(), mapping.Last()] };
            var match = candidates.FirstOrDefault(z => z.Offset == odt.Offset);
            if (mapping.Count == 0 || match == default)
            {
                var valid = candidates.Count == 0
                    ? "none: that local time does not exist there (skipped by a clock change)"
                    : string.Join(" or ", candidates.Select(z => z.Offset.ToString("m", CultureInfo.InvariantCulture)));
                return DueTimeParse.Fail(
                    $"has offset {odt.Offset.ToString("m", CultureInfo.InvariantCulture)}, which {zone.Id} never has at {LocalDateTimePattern.ExtendedIso.Format(odt.LocalDateTime)}; offsets there: {valid}");
            }
            return DueTimeParse.Ok(new DueTime(odt.LocalDateTime, zone, match.ToInstant()), null);
        }

        foreach (var pattern in LocalPatterns)
        {
            var r = pattern.Parse(text);
            if (!r.Success) continue;
            var local = r.Value;
            var mapping = zone.MapLocal(local);
            var zoned = local.InZone(zone, OperatorResolver);
            var warning = mapping.Count switch
            {
                0 => $"{LocalDateTimePattern.ExtendedIso.Format(local)} does not exist in {zone.Id} (clocks go forward); moved to {LocalDateTimePattern.ExtendedIso.Format(zoned.LocalDateTime)}",
                2 => null, // the earlier instant, as documented; an offset picks the later one
                _ => null,
            };
            return DueTimeParse.Ok(new DueTime(local, zone, zoned.ToInstant()), warning);
        }
        return DueTimeParse.Fail($"is not {accepted}");
    }

    /// <summary>
    /// Null when <paramref name="text"/> is shaped as a due time, whatever the zone; otherwise the problem. For a
    /// record whose zone is itself refused, so that a bad due is reported in the same round.
    /// </summary>
    public static string? ShapeProblem(string? text) =>
        Parse(text, DateTimeZone.Utc).Problem is { } p && !p.StartsWith("has offset", StringComparison.Ordinal) ? p : null;

    /// <summary>Rebuilds a stored due time without re-validating (the instant is the stored truth).</summary>
    public static DueTime FromStored(LocalDateTime local, DateTimeZone zone, Instant instant) => new(local, zone, instant);
}

public sealed record DueTimeParse(DueTime? Value, string? Warning, string? Problem)
{
    public static DueTimeParse Ok(DueTime value, string? warning) => new(value, warning, null);
    public static DueTimeParse Fail(string problem) => new(null, null, problem);
}
