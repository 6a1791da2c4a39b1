namespace DeadlineAlerts.Core.Records;

/// <summary>
/// One thing wrong with input, phrased for the operator: which record, which field, the bad value and
/// what is accepted. <see cref="Value"/> holds no secret (the reader redacts them), but it is input: the text
/// form escapes control characters and cuts a long value short, so a problem is safe to print on a terminal.
/// </summary>
public sealed record RecordProblem(string Record, string Field, string? Value, string Message)
{
    public override string ToString() =>
        Value is null
            ? $"{TextRules.Terminal(Record)}: {TextRules.Terminal(Field)} {Message}"
            : $"{TextRules.Terminal(Record)}: {TextRules.Terminal(Field)} \"{TextRules.Excerpt(Value, 80)}\" {Message}";
}

/// <summary>Thrown when input cannot be accepted; nothing has been written when it is.</summary>
public sealed class RecordValidationException(IReadOnlyList<RecordProblem> problems)
    : Exception(string.Join(Environment.NewLine, problems))
{
    public IReadOnlyList<RecordProblem> Problems { get; } = problems;
}
