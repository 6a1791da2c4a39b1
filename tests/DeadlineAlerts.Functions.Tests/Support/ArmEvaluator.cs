using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace DeadlineAlerts.Functions.Tests.Support;

/// <summary>
/// Evaluates the ARM template expressions that <c>infra/main.bicep</c> compiles to, for the values the tests must see
/// as Azure would (a queue name built from the prefix, the account a role is scoped to, which identity a setting names).
/// Main's parameters take the values a test gives (else their defaults); a module's parameters are what main passes it.
/// What only Azure knows is kept symbolic, never guessed: <c>reference(&lt;resource id&gt;)</c> of a resource is
/// <c>«reference:&lt;resource id&gt;»</c>, and property access on it appends (<c>«reference:…/st1».primaryEndpoints.queue</c>);
/// a function this evaluator does not know is <c>«name(...)»</c> with its raw text. <c>reference</c> of a module's
/// deployment evaluates that module's outputs.
/// </summary>
public sealed class ArmEvaluator(JsonObject main, IReadOnlyDictionary<string, string> parameterValues)
{
    public const char Opaque = '«';

    /// <summary>Where an expression is evaluated: a template and the values of its parameters.</summary>
    public sealed record Scope(JsonNode Template, Func<string, JsonNode?> Parameter);

    public Scope Main => new(main, name =>
        parameterValues.TryGetValue(name, out var v) ? JsonValue.Create(v)
        : main["parameters"]![name]!["defaultValue"] is { } d ? Evaluate(d.DeepClone(), MainScopeForDefaults) : null);

    private Scope MainScopeForDefaults => new(main, name => throw new InvalidOperationException($"a parameter default refers to parameter {name}"));

    /// <summary>The scope of the module deployed as <paramref name="deploymentName"/> by main.bicep.</summary>
    public Scope Module(string deploymentName)
    {
        var module = Deployment(deploymentName);
        var passed = module["properties"]!["parameters"]!;
        var template = module["properties"]!["template"]!;
        return new(template, name =>
            passed[name] is { } p ? Evaluate(p["value"]!.DeepClone(), Main)
            : template["parameters"]![name]!["defaultValue"] is { } d ? Evaluate(d.DeepClone(), Main) : null);
    }

    public JsonObject Deployment(string name) =>
        main["resources"]!.AsArray().Single(r => (string?)r!["type"] == "Microsoft.Resources/deployments" && (string?)r["name"] == name)!.AsObject();

    /// <summary>A template value: strings in brackets are expressions; objects and arrays are evaluated member by member.</summary>
    public JsonNode? Evaluate(JsonNode? node, Scope scope) => node switch
    {
        JsonObject o => new JsonObject(o.Select(kv => KeyValuePair.Create(kv.Key, Evaluate(kv.Value?.DeepClone(), scope)))),
        JsonArray a => new JsonArray(a.Select(x => Evaluate(x?.DeepClone(), scope)).ToArray()),
        JsonValue v when v.TryGetValue<string>(out var s) && s.StartsWith('[') && !s.StartsWith("[[", StringComparison.Ordinal) && s.EndsWith(']')
            => new Parser(s[1..^1], this, scope).ParseAll(),
        _ => node,
    };

    public string EvaluateString(string expression, Scope scope) => Text(Evaluate(JsonValue.Create(expression), scope));

    private static string Text(JsonNode? n) => n switch
    {
        null => "",
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.TryGetValue<bool>(out var b) => b ? "True" : "False",
        _ => n.ToJsonString(),
    };

    private static bool Truthy(JsonNode? n) => n is JsonValue v && v.TryGetValue<bool>(out var b) ? b
        : throw new InvalidOperationException($"not a boolean: {n?.ToJsonString()}");

    private static bool IsOpaque(JsonNode? n) => n is JsonValue v && v.TryGetValue<string>(out var s) && s.StartsWith(Opaque);

    private JsonNode? Call(string function, List<JsonNode?> args, string raw, Scope scope)
    {
        string S(int i) => Text(args[i]);
        switch (function.ToLowerInvariant())
        {
            case "parameters": return scope.Parameter(S(0))?.DeepClone();
            case "variables": return Evaluate(scope.Template["variables"]![S(0)]!.DeepClone(), scope);
            case "format":
                var values = args.Skip(1).Select(Text).ToArray();
                return JsonValue.Create(string.Format(CultureInfo.InvariantCulture, S(0), values));
            case "concat": return JsonValue.Create(string.Concat(args.Select(Text)));
            case "tolower": return JsonValue.Create(S(0).ToLowerInvariant());
            case "toupper": return JsonValue.Create(S(0).ToUpperInvariant());
            case "empty": return JsonValue.Create(args[0] switch { null => true, JsonObject o => o.Count == 0, JsonArray a => a.Count == 0, _ => S(0).Length == 0 });
            case "equals": return JsonValue.Create(JsonNode.DeepEquals(args[0], args[1]));
            case "not": return JsonValue.Create(!Truthy(args[0]));
            case "and": return JsonValue.Create(args.All(Truthy));
            case "or": return JsonValue.Create(args.Any(Truthy));
            case "if": return Truthy(args[0]) ? args[1] : args[2];
            case "true": return JsonValue.Create(true);
            case "false": return JsonValue.Create(false);
            case "createobject":
                return new JsonObject(args.Chunk(2).Select(p => KeyValuePair.Create(Text(p[0]), p[1]?.DeepClone())));
            case "union":
                var merged = new JsonObject();
                foreach (var a in args)
                    foreach (var kv in a!.AsObject()) merged[kv.Key] = kv.Value?.DeepClone();
                return merged;
            case "subscription": return new JsonObject { ["id"] = "/subscriptions/sub", ["subscriptionId"] = "sub" };
            case "tenant": return new JsonObject { ["tenantId"] = "tenant" };
            case "uniquestring":
                // Deterministic, as ARM's is; the test needs only that equal inputs give equal names.
                var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("|", args.Select(Text))));
                return JsonValue.Create("u" + Convert.ToHexString(hash)[..12].ToLowerInvariant());
            case "resourceid":
            case "subscriptionresourceid":
                {
                    var type = S(0).Split('/');
                    var names = args.Skip(1).Select(Text).ToList();
                    var id = new StringBuilder(type[0]).Append('/').Append(type[1]).Append('/').Append(names[0]);
                    for (var i = 1; i < names.Count; i++) id.Append('/').Append(type[i + 1]).Append('/').Append(names[i]);
                    return JsonValue.Create(id.ToString());
                }
            case "extensionresourceid": return JsonValue.Create($"{S(0)}/providers/{S(1)}/{S(2)}");
            case "reference":
                {
                    var id = S(0);
                    const string deployments = "Microsoft.Resources/deployments/";
                    var at = id.LastIndexOf(deployments, StringComparison.Ordinal);
                    if (at < 0) return JsonValue.Create($"{Opaque}reference:{id}»");
                    var name = id[(at + deployments.Length)..];
                    var moduleScope = Module(name);
                    var outputs = new JsonObject();
                    foreach (var kv in moduleScope.Template["outputs"]!.AsObject())
                        outputs[kv.Key] = new JsonObject { ["value"] = Evaluate(kv.Value!["value"]!.DeepClone(), moduleScope) };
                    return new JsonObject { ["outputs"] = outputs };
                }
            default: return JsonValue.Create($"{Opaque}{raw}»");
        }
    }

    /// <summary>A recursive-descent reader of one ARM expression: calls, 'strings', numbers, .property and [index].</summary>
    private sealed class Parser(string text, ArmEvaluator arm, Scope scope)
    {
        private int _at;

        public JsonNode? ParseAll()
        {
            var value = ParseExpression();
            Skip();
            if (_at != text.Length) throw new FormatException($"unexpected '{text[_at..]}' in [{text}]");
            return value;
        }

        private void Skip() { while (_at < text.Length && text[_at] == ' ') _at++; }

        private JsonNode? ParseExpression()
        {
            Skip();
            var start = _at;
            JsonNode? value;
            if (text[_at] == '\'')
            {
                var sb = new StringBuilder();
                _at++;
                while (true)
                {
                    if (text[_at] == '\'' && _at + 1 < text.Length && text[_at + 1] == '\'') { sb.Append('\''); _at += 2; }
                    else if (text[_at] == '\'') { _at++; break; }
                    else sb.Append(text[_at++]);
                }
                value = JsonValue.Create(sb.ToString());
            }
            else if (char.IsDigit(text[_at]) || text[_at] == '-')
            {
                while (_at < text.Length && (char.IsDigit(text[_at]) || text[_at] == '-')) _at++;
                value = JsonValue.Create(long.Parse(text[start.._at], CultureInfo.InvariantCulture));
            }
            else
            {
                while (_at < text.Length && (char.IsLetterOrDigit(text[_at]) || text[_at] == '_')) _at++;
                var name = text[start.._at];
                Expect('(');
                var args = new List<JsonNode?>();
                Skip();
                if (text[_at] != ')')
                {
                    args.Add(ParseExpression());
                    Skip();
                    while (text[_at] == ',') { _at++; args.Add(ParseExpression()); Skip(); }
                }
                Expect(')');
                value = arm.Call(name, args, text[start.._at], scope);
            }
            while (true)
            {
                Skip();
                if (_at < text.Length && text[_at] == '.')
                {
                    _at++;
                    var p = _at;
                    while (_at < text.Length && (char.IsLetterOrDigit(text[_at]) || text[_at] == '_')) _at++;
                    value = Member(value, text[p.._at]);
                }
                else if (_at < text.Length && text[_at] == '[')
                {
                    _at++;
                    var index = ParseExpression();
                    Expect(']');
                    value = IsOpaque(value) ? JsonValue.Create($"{Text(value)}[{Text(index)}]")
                        : value is JsonArray a ? a[(int)index!.GetValue<long>()]?.DeepClone() : Member(value, Text(index));
                }
                else return value;
            }
        }

        private static JsonNode? Member(JsonNode? value, string name) =>
            IsOpaque(value) ? JsonValue.Create($"{Text(value)}.{name}")
            : value is JsonObject o ? o.FirstOrDefault(kv => string.Equals(kv.Key, name, StringComparison.OrdinalIgnoreCase)).Value?.DeepClone()
              ?? throw new InvalidOperationException($"no property {name} in {o.ToJsonString()}")
            : throw new InvalidOperationException($"property {name} of {value?.ToJsonString()}");

        private void Expect(char c)
        {
            Skip();
            if (_at >= text.Length || text[_at] != c) throw new FormatException($"expected '{c}' at {_at} in [{text}]");
            _at++;
        }
    }
}
