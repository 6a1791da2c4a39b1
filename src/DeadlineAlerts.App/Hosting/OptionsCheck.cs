using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DeadlineAlerts.App.Hosting;

/// <summary>Settings that cannot work: one line per problem, each naming the setting, its value (secrets not shown) and what is accepted.</summary>
public sealed class SettingsInvalidException(IReadOnlyList<string> problems)
    : Exception("Settings are not valid; nothing was started:\n  " + string.Join("\n  ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}

/// <summary>
/// What the Generic Host does at start for <c>ValidateOnStart</c>, for a container without a host (the CLI builds a
/// plain <see cref="ServiceCollection"/>): runs every registered options validator, and a value that does not even
/// convert (<c>DeadlineAlerts__ScanPeriod=soon</c>) is reported the same way.
/// </summary>
public static partial class OptionsCheck
{
    /// <summary>Throws <see cref="SettingsInvalidException"/> listing every problem; returns when all settings are valid.</summary>
    public static void Validate(IServiceProvider services)
    {
        try { services.GetService<IStartupValidator>()?.Validate(); }
        catch (Exception e) when (Problems(e) is { Count: > 0 } problems) { throw new SettingsInvalidException(problems); }
    }

    private static List<string> Problems(Exception e) => e switch
    {
        OptionsValidationException v => v.Failures.ToList(),
        AggregateException a => a.InnerExceptions.SelectMany(Problems).ToList(),
        InvalidOperationException i when Unconvertible().Match(i.Message) is { Success: true } m =>
            [$"{m.Groups["path"].Value.Replace(":", "__", StringComparison.Ordinal)} is not a {Kind(m.Groups["type"].Value)}; {Accepted(m.Groups["type"].Value)}"],
        _ => [],
    };

    // The binder's own wording (Microsoft.Extensions.Configuration.Binder): "Failed to convert configuration value
    // [...] at 'DeadlineAlerts:ScanPeriod' to type 'System.TimeSpan'." Its value is not repeated: a converted setting
    // is a number or a duration, but the message is built from the path and type only, to be sure.
    [GeneratedRegex(@"Failed to convert configuration value.* at '(?<path>[^']+)' to type '(?<type>[^']+)'")]
    private static partial Regex Unconvertible();

    private static string Kind(string type) => type switch
    {
        "System.TimeSpan" => "duration",
        "System.Int32" or "System.Int64" => "whole number",
        "System.Double" => "number",
        "System.Boolean" => "true or false",
        _ => type,
    };

    private static string Accepted(string type) => type switch
    {
        "System.TimeSpan" => Core.Settings.SettingProblem.PositiveDuration,
        "System.Int32" or "System.Int64" => "give a whole number such as 8",
        "System.Double" => "give a number such as 1 or 0.5",
        "System.Boolean" => "give true or false",
        _ => "give a value of that type",
    };
}
