namespace DeadlineAlerts.Core.Records;

/// <summary>
/// One thing wrong with input, phrased for the operator: which record, which field, the bad value and
/// what is accepted. <see cref="Value"/> is already safe to show (secrets are redacted by the reader).
/// </summary>
public sealed record RecordProblem(string Record, string Field, string? Value, string Message)
{
    public override string ToString() =>
        Value is null ? $"{Record}: {Field} {Message}" : $"{Record}: {Field} \"{Value}\" {Message}";
}

/// <summary>Thrown when input cannot be accepted; nothing has been written when it is.</summary>
public sealed class RecordValidationException(IReadOnlyList<RecordProblem> problems)
    : Exception(string.Join(Environment.NewLine, problems))
{
    public IReadOnlyList<RecordProblem> Problems { get; } = problems;
}
