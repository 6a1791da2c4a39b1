namespace DeadlineAlerts.Core.Records;

/// <summary>
/// A stored record (or schedule row) this installation cannot read: someone wrote it by hand, a tool changed it,
/// or a newer version wrote it. It is set aside, never thrown: every other alert goes on, and this one is named
/// wherever an operator looks (the log, `dla run`, `dla alerts`, health) with its id, field and problem.
/// </summary>
public sealed record UnreadableRecord(string RecordKind, string Id, string Field, string Problem)
{
    /// <summary>"deadline bad-due: DueLocal "tomorrow" is not a local date-time such as 2025-08-12T00:01; fix the record (dla import or PUT) or delete it".</summary>
    public override string ToString() => $"{RecordKind} {Id}: {Field} {Problem}; {Fix}";

    private string Fix => RecordKind switch
    {
        "deadline" => $"import the deadline again (dla import) or PUT /api/deadlines/{Id}",
        "subscriber" => $"import the subscriber again (dla import) or PUT /api/subscribers/{Id}",
        _ => "re-import the records it names (dla import) to write it again",
    };
}

/// <summary>A record read from storage: the value, or why it could not be read (never both).</summary>
public readonly record struct RecordRead<T>(T? Value, UnreadableRecord? Problem) where T : class
{
    public static RecordRead<T> Ok(T value) => new(value, null);
    public static RecordRead<T> Bad(UnreadableRecord problem) => new(null, problem);
    public static readonly RecordRead<T> Missing = new(null, null);
}

/// <summary>Thrown where a caller asked for one record and it cannot be read (the API, a milestone): the message names it.</summary>
public sealed class UnreadableRecordException(UnreadableRecord problem) : FormatException(problem.ToString())
{
    public UnreadableRecord Problem { get; } = problem;
}
