using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace DeadlineAlerts.Storage;

/// <summary>
/// Spreads what would be one partition over <see cref="Count"/>, by a stable hash of an id. Azure's target is
/// 2,000 entities a second per table partition; the ledger (per fire day), the schedule (per fire day) and the
/// deadline and subscriber records each use it, so a deadline that a million people follow, or a million
/// subscribers read by one tick, load 32 partitions instead of one (docs/capacity.md §5).
/// </summary>
public static class KeyShards
{
    public const int Count = 32;

    /// <summary>The id's shard, 0 to 31. SHA-256, so it is the same in every process and .NET version (string.GetHashCode is not).</summary>
    public static int Of(string id) => SHA256.HashData(Encoding.UTF8.GetBytes(id))[0] % Count;

    /// <summary>"-07": what a partition name gets for the id's shard; it sorts after the bare name and before "~".</summary>
    public static string Suffix(string id) => "-" + Of(id).ToString("x2", CultureInfo.InvariantCulture);
}
