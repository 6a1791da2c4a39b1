using System.Text.Json.Nodes;

namespace DeadlineAlerts.Delivery.Tests.Support;

public static class Json
{
    /// <summary>Every object in a JSON tree, depth first, the root included.</summary>
    public static IEnumerable<JsonObject> Objects(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                yield return o;
                foreach (var (_, child) in o)
                    foreach (var d in Objects(child)) yield return d;
                break;
            case JsonArray a:
                foreach (var child in a)
                    foreach (var d in Objects(child)) yield return d;
                break;
        }
    }
}
