using System.Globalization;

namespace DeadlineAlerts.Core.Settings;

/// <summary>
/// The one wording of a bad setting, for the options validators of every project: the setting as the user types
/// it (<c>DeadlineAlerts__ScanPeriod</c>, the environment-variable form, which is also the Functions app-setting
/// name), the value it holds, and what is accepted. Secrets (keys, connection strings, URLs that carry a token)
/// are never shown: their value reads <see cref="NotShown"/>.
/// </summary>
public static class SettingProblem
{
    public const string NotShown = "(set, not shown)";

    /// <summary><c>DeadlineAlerts:Email:Smtp</c> + <c>Port</c> → <c>DeadlineAlerts__Email__Smtp__Port</c>.</summary>
    public static string Name(string section, string key) => (section + ":" + key).Replace(":", "__", StringComparison.Ordinal);

    /// <summary><c>{setting} is {value}; {accepted}</c>, the value quoted unless it is <see cref="NotShown"/>.</summary>
    public static string Of(string setting, string? value, string accepted) =>
        $"{setting} is {(value == NotShown ? NotShown : "\"" + value + "\"")}; {accepted}";

    public static string Of(string setting, TimeSpan value, string accepted) =>
        Of(setting, value.ToString("c", CultureInfo.InvariantCulture), accepted);

    public static string Of(string setting, double value, string accepted) =>
        Of(setting, value.ToString(CultureInfo.InvariantCulture), accepted);

    /// <summary>A URL as it may be shown: without query, fragment or user info (a SAS token, a signed link), else <see cref="NotShown"/>.</summary>
    public static string ShownUrl(string text) =>
        text.IndexOfAny(['?', '#', '@']) >= 0 ? NotShown : text.Trim();

    public const string PositiveDuration = "give a positive duration as hh:mm:ss (or d.hh:mm:ss), such as 00:01:00";
    public const string AtLeastOne = "give a whole number of at least 1";
}
