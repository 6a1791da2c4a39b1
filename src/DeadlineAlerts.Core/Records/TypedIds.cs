using System.Text.Json;
using System.Text.Json.Serialization;

namespace DeadlineAlerts.Core.Records;

/// <summary>
/// An id of one kind of thing. Each kind is its own type, so a subscriber id can never be passed where a
/// deadline id is wanted (the compiler refuses it), and the ledger's and schedule's keys say what they hold.
/// A string converts to an id implicitly (ids arrive as text: from an operator, a route, a stored row);
/// an id never converts back implicitly: write <c>.Value</c> where text is wanted (interpolation uses
/// <see cref="object.ToString"/>, which is the value). JSON reads and writes an id as its plain string.
/// </summary>
public interface ITypedId<TSelf> where TSelf : struct, ITypedId<TSelf>
{
    string Value { get; }
    static abstract TSelf From(string value);
}

/// <summary>A deadline's id, as the operator typed it (<c>us-china-tariff-truce</c>); see <see cref="RecordId"/>.</summary>
[JsonConverter(typeof(TypedIdJsonConverter<DeadlineId>))]
public readonly record struct DeadlineId(string Value) : ITypedId<DeadlineId>, IComparable<DeadlineId>
{
    public static DeadlineId From(string value) => new(value);
    public static implicit operator DeadlineId(string value) => new(value);
    public int CompareTo(DeadlineId other) => string.CompareOrdinal(Value, other.Value);
    public static bool operator <(DeadlineId left, DeadlineId right) => left.CompareTo(right) < 0;
    public static bool operator <=(DeadlineId left, DeadlineId right) => left.CompareTo(right) <= 0;
    public static bool operator >(DeadlineId left, DeadlineId right) => left.CompareTo(right) > 0;
    public static bool operator >=(DeadlineId left, DeadlineId right) => left.CompareTo(right) >= 0;
    public override string ToString() => Value ?? "";
}

/// <summary>A subscriber's id, as the operator typed it (<c>beijing-desk</c>); see <see cref="RecordId"/>.</summary>
[JsonConverter(typeof(TypedIdJsonConverter<SubscriberId>))]
public readonly record struct SubscriberId(string Value) : ITypedId<SubscriberId>, IComparable<SubscriberId>
{
    public static SubscriberId From(string value) => new(value);
    public static implicit operator SubscriberId(string value) => new(value);
    public int CompareTo(SubscriberId other) => string.CompareOrdinal(Value, other.Value);
    public static bool operator <(SubscriberId left, SubscriberId right) => left.CompareTo(right) < 0;
    public static bool operator <=(SubscriberId left, SubscriberId right) => left.CompareTo(right) <= 0;
    public static bool operator >(SubscriberId left, SubscriberId right) => left.CompareTo(right) > 0;
    public static bool operator >=(SubscriberId left, SubscriberId right) => left.CompareTo(right) >= 0;
    public override string ToString() => Value ?? "";
}

/// <summary>
/// A channel's id within its subscriber (<c>slack-3f2a9c01d4</c>): its type and a short hash of its target, never
/// the target itself; see <see cref="ChannelSpec.Id"/>.
/// </summary>
[JsonConverter(typeof(TypedIdJsonConverter<ChannelId>))]
public readonly record struct ChannelId(string Value) : ITypedId<ChannelId>, IComparable<ChannelId>
{
    public static ChannelId From(string value) => new(value);
    public static implicit operator ChannelId(string value) => new(value);
    public int CompareTo(ChannelId other) => string.CompareOrdinal(Value, other.Value);
    public static bool operator <(ChannelId left, ChannelId right) => left.CompareTo(right) < 0;
    public static bool operator <=(ChannelId left, ChannelId right) => left.CompareTo(right) <= 0;
    public static bool operator >(ChannelId left, ChannelId right) => left.CompareTo(right) > 0;
    public static bool operator >=(ChannelId left, ChannelId right) => left.CompareTo(right) >= 0;
    public override string ToString() => Value ?? "";
}

/// <summary>Reads and writes a typed id as the JSON string it is.</summary>
public sealed class TypedIdJsonConverter<T> : JsonConverter<T> where T : struct, ITypedId<T>
{
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        T.From(reader.GetString() ?? throw new JsonException($"A {typeof(T).Name} must be a string."));

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Value);
}
