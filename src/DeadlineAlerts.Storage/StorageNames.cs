using System.Text.RegularExpressions;

namespace DeadlineAlerts.Storage;

/// <summary>
/// Table and queue names of one installation. Everything that shares a prefix is one isolated
/// installation (tests use a fresh prefix each; production uses none).
/// </summary>
public sealed partial record StorageNames(string Prefix)
{
    [GeneratedRegex("^([A-Za-z][A-Za-z0-9]{0,19})?$")]
    private static partial Regex PrefixShape();

    public static StorageNames For(string? prefix)
    {
        prefix ??= "";
        if (!PrefixShape().IsMatch(prefix))
            throw new ArgumentException($"Table prefix \"{prefix}\" is not accepted: use up to 20 letters and digits, starting with a letter.", nameof(prefix));
        return new StorageNames(prefix);
    }

    public string Deadlines => Prefix + "deadlines";
    public string Subscribers => Prefix + "subscribers";
    public string Schedule => Prefix + "schedule";
    public string Ledger => Prefix + "ledger";
    public string State => Prefix + "state";
    public string Audit => Prefix + "audit";
    /// <summary>The ledger rows that are not final yet, so the sweep finds them without reading old partitions.</summary>
    public string Unfinished => Prefix + "unfinished";
    /// <summary>"Got it": one row per (deadline, subscriber) with the due instant acknowledged.</summary>
    public string Acknowledgements => Prefix + "acknowledgements";
    public string AlertQueue => (Prefix + "alerts").ToLowerInvariant();
    /// <summary>The Functions host moves a message here after maxDequeueCount; delivery moves exhausted retries here too.</summary>
    public string PoisonQueue => AlertQueue + "-poison";

    public IEnumerable<string> Tables => [Deadlines, Subscribers, Schedule, Ledger, Unfinished, State, Audit, Acknowledgements];
}
