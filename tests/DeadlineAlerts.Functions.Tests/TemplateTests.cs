using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using DeadlineAlerts.Functions.Functions;
using DeadlineAlerts.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DeadlineAlerts.Functions.Tests;

/// <summary>
/// What Azure would be given, read from <c>infra/main.bicep</c> compiled to ARM JSON by the Bicep CLI that CI uses
/// (<c>.ci/bicep.sh --path</c> restores it from NuGet once). None of this can be seen on Azurite: a trigger whose
/// connection lacks an identity setting runs locally and never scales in Azure.
/// </summary>
public sealed class TemplateTests
{
    private static readonly Lazy<JsonObject> Main = new(CompileMain);

    /// <summary>The folder holding DeadlineAlerts.sln (not RepoPaths.Root, whose type also looks for a built dla.dll).</summary>
    private static class RepoPaths
    {
        public static string Root { get; } = Find();

        private static string Find()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "DeadlineAlerts.sln"))) return dir.FullName;
            throw new InvalidOperationException($"No DeadlineAlerts.sln above {AppContext.BaseDirectory}");
        }
    }

    private static JsonObject CompileMain()
    {
        var bicep = Run("bash", [Path.Combine(RepoPaths.Root, ".ci", "bicep.sh"), "--path"])
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Last();
        Assert.True(File.Exists(bicep), $".ci/bicep.sh --path printed {bicep}, which does not exist");
        var output = Path.Combine(Path.GetTempPath(), $"dla-main-{Guid.NewGuid():N}.json");
        try
        {
            Run(bicep, ["build", Path.Combine(RepoPaths.Root, "infra", "main.bicep"), "--outfile", output]);
            return JsonNode.Parse(File.ReadAllText(output))!.AsObject();
        }
        finally { File.Delete(output); }
    }

    private static string Run(string file, string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepoPaths.Root };
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"] = "1";
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5))) { p.Kill(true); Assert.Fail($"{file} {string.Join(' ', args)} did not finish in 5 minutes"); }
        Assert.True(p.ExitCode == 0, $"{file} {string.Join(' ', args)} exited {p.ExitCode}:\n{stdout.Result}\n{stderr.Result}");
        return stdout.Result;
    }

    /// <summary>
    /// The Function App's app settings, name → value as the template writes it (a literal, or an ARM expression in
    /// brackets). The <c>appsettings</c> resource of the functionapp module is <c>union(...)</c> of module variables, the
    /// module's <c>appSettings</c> parameter (as main.bicep passes it) and <c>createObject(...)</c> literals.
    /// </summary>
    private static Dictionary<string, string> AppSettings()
    {
        var module = Main.Value["resources"]!.AsArray().Single(r => (string?)r!["type"] == "Microsoft.Resources/deployments" && (string?)r["name"] == "functionapp")!;
        var template = module["properties"]!["template"]!;
        var passed = module["properties"]!["parameters"]!;
        // The site has more than one config resource (appsettings, and authsettingsV2 when Entra ID is wired).
        var config = template["resources"]!.AsArray().Single(r => (string?)r!["type"] == "Microsoft.Web/sites/config"
                                                                  && ((string?)r["name"])?.EndsWith("'appsettings')]", StringComparison.Ordinal) == true)!;
        return Evaluate(config["properties"]!, template, passed);
    }

    private static Dictionary<string, string> Evaluate(JsonNode node, JsonNode template, JsonNode passed)
    {
        if (node is JsonObject literal)
            return literal.ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<string>());
        var text = node.GetValue<string>();
        Assert.True(text.StartsWith('[') && text.EndsWith(']'), $"app settings are neither an object nor an expression: {text}");
        return EvaluateCall(text[1..^1], template, passed);
    }

    private static Dictionary<string, string> EvaluateCall(string expression, JsonNode template, JsonNode passed)
    {
        var open = expression.IndexOf('(');
        var (function, args) = (expression[..open], SplitArguments(expression[(open + 1)..^1]));
        switch (function)
        {
            case "union":
                var merged = new Dictionary<string, string>();
                foreach (var a in args)
                    foreach (var kv in EvaluateCall(a, template, passed)) merged[kv.Key] = kv.Value;
                return merged;
            case "variables":
                return Evaluate(template["variables"]![Unquote(args[0])]!, template, passed);
            case "parameters":
                return Evaluate(passed[Unquote(args[0])]!["value"]!, template, passed);
            case "createObject":
                return args.Chunk(2).ToDictionary(pair => Unquote(pair[0]), pair => pair[1].StartsWith('\'') ? Unquote(pair[1]) : $"[{pair[1]}]");
            default:
                Assert.Fail($"app settings use {function}(...), which this test does not read");
                return [];
        }
    }

    /// <summary>Top-level arguments of an ARM function call: commas inside parentheses or quotes do not split.</summary>
    private static List<string> SplitArguments(string args)
    {
        var list = new List<string>();
        var current = new StringBuilder();
        var (depth, quoted) = (0, false);
        foreach (var c in args)
        {
            if (c == '\'') quoted = !quoted; // '' inside a string toggles twice: still quoted
            else if (!quoted && c == '(') depth++;
            else if (!quoted && c == ')') depth--;
            if (!quoted && depth == 0 && c == ',') { list.Add(current.ToString().Trim()); current.Clear(); continue; }
            current.Append(c);
        }
        if (current.Length > 0) list.Add(current.ToString().Trim());
        return list;
    }

    private static string Unquote(string s) => s.Trim() is ['\'', .. var inner, '\''] ? inner.Replace("''", "'") : s;

    /// <summary>Every trigger of the worker with the connection name the host resolves for it.</summary>
    public static IEnumerable<(string Function, string Kind, string Connection)> Triggers() =>
        from type in typeof(FunctionsServices).Assembly.GetTypes()
        from method in type.GetMethods()
        let function = method.GetCustomAttribute<FunctionAttribute>()
        where function is not null
        from parameter in method.GetParameters()
        from trigger in parameter.GetCustomAttributes()
        let name = trigger.GetType().Name
        where name is "QueueTriggerAttribute" or "BlobTriggerAttribute" or "TimerTriggerAttribute"
        // The blob extension is not referenced (no blob trigger yet): its attribute is read by name, like the others.
        let connection = trigger.GetType().GetProperty("Connection")?.GetValue(trigger) as string
        select name switch
        {
            "QueueTriggerAttribute" => (function.Name, "queue", connection ?? "AzureWebJobsStorage"),
            "BlobTriggerAttribute" => (function.Name, "blob", connection ?? "AzureWebJobsStorage"),
            // A timer keeps its schedule monitor and singleton lock in the host's storage.
            _ => (function.Name, "timer", "AzureWebJobsStorage"),
        };

    [Fact]
    public void Every_trigger_connection_has_the_identity_settings_the_Functions_docs_require()
    {
        var settings = AppSettings();
        var triggers = Triggers().ToList();
        Assert.Contains(triggers, t => t is ("DeliverAlerts", "queue", DeliverAlerts.Connection));
        Assert.Contains(triggers, t => t.Kind == "timer");

        foreach (var (function, kind, connection) in triggers)
        {
            var what = $"{function} ({kind} trigger, connection \"{connection}\")";
            Assert.False(connection.Contains(':'), $"{what}: a connection name with ':' is not read by the scale controller; use a flat name");
            Assert.False(settings.ContainsKey(connection), $"{what}: app setting {connection} would be taken as a connection string; the template uses an identity");
            var service = kind switch
            {
                "queue" when connection != "AzureWebJobsStorage" => $"{connection}__queueServiceUri",
                "blob" when connection != "AzureWebJobsStorage" => $"{connection}__blobServiceUri",
                _ => $"{connection}__accountName", // host storage: blob, queue and table URIs from the account name
            };
            Assert.True(settings.ContainsKey(service), $"{what}: app setting {service} is missing");
            Assert.True(settings.TryGetValue($"{connection}__credential", out var credential) && credential == "managedidentity",
                $"{what}: app setting {connection}__credential must be \"managedidentity\" (else {connection}__clientId is not applied); it is {credential ?? "missing"}");
            Assert.True(settings.TryGetValue($"{connection}__clientId", out var clientId) && clientId == settings["AZURE_CLIENT_ID"],
                $"{what}: app setting {connection}__clientId must name the app's user-assigned identity (as AZURE_CLIENT_ID does); it is {clientId ?? "missing"}");
        }
        Assert.DoesNotContain(settings.Keys, k => k.Contains(':'));
    }

    [Fact]
    public async Task The_worker_reads_its_queue_from_the_same_service_and_identity_as_the_trigger()
    {
        var settings = AppSettings();
        var trigger = DeliverAlerts.Connection;
        Assert.Equal(settings[$"{trigger}__queueServiceUri"], settings["DeadlineAlerts__Storage__QueueServiceUri"]);

        // The settings as the worker would get them: literals as they are, each distinct expression as a value of its own.
        var fakes = new Dictionary<(string, bool), string>();
        string Fake(string key, string value)
        {
            if (!value.StartsWith('[')) return value;
            var uri = key.EndsWith("Uri", StringComparison.OrdinalIgnoreCase) || key.EndsWith("Endpoint", StringComparison.OrdinalIgnoreCase);
            var id = (value, uri);
            if (!fakes.TryGetValue(id, out var fake)) fakes[id] = fake = uri ? $"https://h{fakes.Count}.example.net/" : $"value-{fakes.Count}";
            return fake;
        }
        // Application Insights' settings are left out: the SDK validates them, and they bind nothing of ours.
        var environment = settings.Where(kv => !kv.Key.StartsWith("APPLICATIONINSIGHTS_", StringComparison.Ordinal)).ToDictionary(kv => kv.Key.Replace("__", ":", StringComparison.Ordinal), kv => (string?)Fake(kv.Key, kv.Value));
        Assert.Equal("", (string?)Main.Value["parameters"]!["tablePrefix"]!["defaultValue"]);
        environment["DeadlineAlerts:TablePrefix"] = ""; // main.bicep's default, passed through as an expression
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(environment).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration);
        services.AddDeadlineAlertsFunctions(configuration);
        await using var provider = services.BuildServiceProvider();

        // What the Functions host reads for the trigger's connection ...
        var connection = configuration.GetSection(trigger);
        Assert.Equal("managedidentity", connection["credential"]);
        // ... and what the worker's own clients read: the same queue service, the same identity.
        var storage = provider.GetRequiredService<StorageOptions>();
        var clients = provider.GetRequiredService<StorageClients>();
        Assert.True(storage.UsesCredential);
        Assert.Equal(new Uri(connection["queueServiceUri"]!), clients.Queues.Uri);
        Assert.Equal(connection["clientId"], storage.ClientId);
        Assert.Equal(DeliverAlerts.QueueName, clients.Names.AlertQueue); // the template's default prefix is empty
        Assert.Equal(0, clients.Requests.Count);
    }

    [Fact]
    public void PublicBaseUrl_comes_from_the_sites_default_host_name_unless_the_parameter_sets_it()
    {
        var value = AppSettings()["DeadlineAlerts__PublicBaseUrl"];

        Assert.Contains(".defaultHostName", value);
        Assert.Contains("parameters('publicBaseUrl')", value);
        Assert.DoesNotContain("azurewebsites.net", value);
        Assert.Equal("", (string?)Main.Value["parameters"]!["publicBaseUrl"]!["defaultValue"]);
    }

    [Fact]
    public void Local_settings_give_the_trigger_connection_a_connection_string()
    {
        var example = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "src", "DeadlineAlerts.Functions", "local.settings.example.json")))!;

        Assert.Equal("UseDevelopmentStorage=true", (string?)example["Values"]![DeliverAlerts.Connection]);
    }
}
