using System.Text.RegularExpressions;

namespace DeadlineAlerts.Core.Records;

/// <summary>
/// Record ids are what operators type (<c>us-china-tariff-truce</c>) and what Table Storage uses as
/// row keys, so they are restricted to characters that are safe in both: letters, digits, '-', '_', '.'.
/// </summary>
public static partial class RecordId
{
    public const int MaxLength = 100;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex Shape();

    /// <summary>Null when the id is acceptable, otherwise what is wrong with it.</summary>
    public static string? Problem(string? id)
    {
        if (string.IsNullOrWhiteSpace(id)) return "is missing; give a short id such as \"us-china-tariff-truce\"";
        if (id.Length > MaxLength) return $"is {id.Length} characters long; at most {MaxLength} are accepted";
        if (!Shape().IsMatch(id)) return "may hold only letters, digits, '.', '_' and '-', and must start with a letter or digit";
        return null;
    }
}
