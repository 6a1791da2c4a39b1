namespace DeadlineAlerts.Core.Settings;

/// <summary>
/// Collects the problems of one options object, worded by <see cref="SettingProblem"/>; the validators of each
/// project build one, check each property, and hand <see cref="Problems"/> to <c>ValidateOptionsResult.Fail</c>.
/// </summary>
public sealed class SettingRules(string section)
{
    private readonly List<string> _problems = [];

    public IReadOnlyList<string> Problems => _problems;

    public string Name(string key) => SettingProblem.Name(section, key);

    public void Add(string problem) => _problems.Add(problem);

    public void Positive(string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero) Add(SettingProblem.Of(Name(key), value, SettingProblem.PositiveDuration));
    }

    public void NotNegative(string key, TimeSpan value)
    {
        if (value < TimeSpan.Zero) Add(SettingProblem.Of(Name(key), value, "give a duration of 00:00:00 or more as hh:mm:ss, such as 00:00:10"));
    }

    public void AtLeastOne(string key, int value)
    {
        if (value < 1) Add(SettingProblem.Of(Name(key), value.ToString(System.Globalization.CultureInfo.InvariantCulture), SettingProblem.AtLeastOne));
    }

    public void Positive(string key, double value)
    {
        if (!(value > 0) || double.IsInfinity(value)) Add(SettingProblem.Of(Name(key), value, "give a number above 0, such as 1 or 0.5"));
    }
}
