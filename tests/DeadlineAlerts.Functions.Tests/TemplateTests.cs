using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DeadlineAlerts.Functions.Functions;
using DeadlineAlerts.Functions.Tests.Support;
using DeadlineAlerts.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

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

    // ---------------------------------------------------------------------------------------------------------
    // Evaluated: what Azure would be given for a set of main.bicep parameters (Support/ArmEvaluator.cs).
    // ---------------------------------------------------------------------------------------------------------

    private const string UserObjectId = "00000000-0000-0000-0000-0000000000aa";

    private static ArmEvaluator Arm(string tablePrefix = "", string principalId = UserObjectId, string timeZoneDataBlobName = "") => new(Main.Value, new Dictionary<string, string>
    {
        ["environmentName"] = "dla-test",
        ["location"] = "swedencentral",
        ["principalId"] = principalId,
        ["tablePrefix"] = tablePrefix,
        ["timeZoneDataBlobName"] = timeZoneDataBlobName,
    });

    /// <summary>The Function App's app settings, evaluated.</summary>
    private static Dictionary<string, string> EvaluatedAppSettings(ArmEvaluator arm)
    {
        var scope = arm.Module("functionapp");
        var config = scope.Template["resources"]!.AsArray().Single(r => (string?)r!["type"] == "Microsoft.Web/sites/config"
                                                                        && ((string?)r["name"])?.EndsWith("'appsettings')]", StringComparison.Ordinal) == true)!;
        return arm.Evaluate(config["properties"]!.DeepClone(), scope)!.AsObject()
            .ToDictionary(kv => kv.Key, kv => kv.Value is null ? "" : kv.Value.GetValueKind() == System.Text.Json.JsonValueKind.String ? kv.Value.GetValue<string>() : kv.Value.ToJsonString());
    }

    /// <summary>
    /// The worker's configuration from those settings, as the platform hands them over (<c>__</c> read as <c>:</c>). A
    /// value only Azure knows (a storage endpoint) becomes a stand-in of the right shape, the same stand-in for the same
    /// value, so two settings naming one endpoint still agree. Application Insights' settings are left out: the SDK
    /// validates them, and they bind nothing of ours.
    /// </summary>
    private static IConfigurationRoot WorkerConfiguration(Dictionary<string, string> settings)
    {
        var standIns = new Dictionary<string, string>();
        string StandIn(string key, string value)
        {
            if (!value.Contains(ArmEvaluator.Opaque)) return value;
            var uri = key.EndsWith("Uri", StringComparison.OrdinalIgnoreCase) || key.EndsWith("Endpoint", StringComparison.OrdinalIgnoreCase)
                      || key.EndsWith("Url", StringComparison.OrdinalIgnoreCase); // PublicBaseUrl: checked at start, so it must be a URL here too
            if (!uri) return value;
            if (!standIns.TryGetValue(value, out var fake)) standIns[value] = fake = $"https://h{standIns.Count}.example.net/";
            return fake;
        }
        return new ConfigurationBuilder().AddInMemoryCollection(settings
            .Where(kv => !kv.Key.StartsWith("APPLICATIONINSIGHTS_", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key.Replace("__", ":", StringComparison.Ordinal), kv => (string?)StandIn(kv.Key, kv.Value))).Build();
    }

    private static ServiceProvider Worker(IConfigurationRoot configuration)
    {
        var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration);
        services.AddDeadlineAlertsFunctions(configuration);
        return services.BuildServiceProvider();
    }

    /// <summary>The queue the host listens on: the trigger attribute's name with each %setting% resolved, as the host's name resolver does.</summary>
    private static string TriggerQueue(IConfiguration configuration)
    {
        var attribute = typeof(DeliverAlerts).GetMethod(nameof(DeliverAlerts.Run))!.GetParameters()
            .SelectMany(p => p.GetCustomAttributes<QueueTriggerAttribute>()).Single();
        return Regex.Replace(attribute.QueueName, "%([^%]+)%",
            m => configuration[m.Groups[1].Value] ?? throw new InvalidOperationException($"'{m.Value}' does not resolve to a value"));
    }

    [Fact]
    public async Task The_worker_reads_its_queue_from_the_same_service_and_identity_as_the_trigger()
    {
        var settings = EvaluatedAppSettings(Arm());
        var trigger = DeliverAlerts.Connection;
        Assert.Equal(settings[$"{trigger}__queueServiceUri"], settings["DeadlineAlerts__Storage__QueueServiceUri"]);

        var configuration = WorkerConfiguration(settings);
        await using var provider = Worker(configuration);

        // What the Functions host reads for the trigger's connection ...
        var connection = configuration.GetSection(trigger);
        Assert.Equal("managedidentity", connection["credential"]);
        // ... and what the worker's own clients read: the same queue service, the same identity, the same queue.
        var storage = provider.GetRequiredService<StorageOptions>();
        var clients = provider.GetRequiredService<StorageClients>();
        Assert.True(storage.UsesCredential);
        Assert.Equal(new Uri(connection["queueServiceUri"]!), clients.Queues.Uri);
        Assert.Equal(connection["clientId"], storage.ClientId);
        Assert.Equal("alerts", TriggerQueue(configuration)); // the template's default prefix is empty
        Assert.Equal(clients.Names.AlertQueue, TriggerQueue(configuration));
        Assert.Equal(0, clients.Requests.Count);
    }

    [Theory]
    [InlineData("Blue7", "blue7alerts")]
    [InlineData("ops", "opsalerts")]
    [InlineData("", "alerts")]
    public async Task With_a_table_prefix_the_trigger_binds_the_queue_the_app_writes_and_its_poison_queue(string prefix, string queue)
    {
        var settings = EvaluatedAppSettings(Arm(tablePrefix: prefix));
        Assert.Equal(prefix, settings["DeadlineAlerts__TablePrefix"]);
        var configuration = WorkerConfiguration(settings);
        await using var provider = Worker(configuration);
        var names = provider.GetRequiredService<StorageClients>().Names;

        Assert.Equal(queue, TriggerQueue(configuration));
        Assert.Equal(names.AlertQueue, TriggerQueue(configuration));
        // The host moves a message that failed maxDequeueCount times to <queue>-poison; the app reads and writes the same.
        Assert.Equal(TriggerQueue(configuration) + "-poison", names.PoisonQueue);
        // And the worker starts: its check agrees.
        await provider.GetServices<IHostedService>().OfType<AlertQueueCheck>().Single().StartAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_worker_whose_trigger_queue_is_not_the_apps_queue_refuses_to_start_naming_both_settings()
    {
        var settings = EvaluatedAppSettings(Arm(tablePrefix: "Blue7"));
        settings["AlertQueueName"] = "alerts"; // the constant the trigger used to bind
        await using (var provider = Worker(WorkerConfiguration(settings)))
        {
            var check = provider.GetServices<IHostedService>().OfType<AlertQueueCheck>().Single();
            var e = await Assert.ThrowsAsync<InvalidOperationException>(() => check.StartAsync(CancellationToken.None));
            Assert.Equal("App setting AlertQueueName is \"alerts\", but the app writes alerts to \"blue7alerts\" (DeadlineAlerts__TablePrefix \"Blue7\"): " +
                         "the DeliverAlerts trigger would never see them. Set AlertQueueName to \"blue7alerts\" (infra/modules/functionapp.bicep sets both from tablePrefix).", e.Message);
        }

        settings.Remove("AlertQueueName");
        await using (var provider = Worker(WorkerConfiguration(settings)))
        {
            var check = provider.GetServices<IHostedService>().OfType<AlertQueueCheck>().Single();
            var e = await Assert.ThrowsAsync<InvalidOperationException>(() => check.StartAsync(CancellationToken.None));
            Assert.StartsWith("App setting AlertQueueName is not set, so the DeliverAlerts queue trigger has no queue; set it to \"blue7alerts\"", e.Message);
        }
    }

    /// <summary>Built-in role ids (the same in every tenant; Azure's built-in roles reference), by name.</summary>
    private static readonly Dictionary<string, string> BuiltInRoles = new()
    {
        ["b7e6dc6d-f1e8-4753-8033-0f276bb0955b"] = "Storage Blob Data Owner",
        ["ba92f5b4-2d11-453d-a403-e96b0029c9fe"] = "Storage Blob Data Contributor",
        ["2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"] = "Storage Blob Data Reader",
        ["974c5e8b-45b9-4653-ba55-5f855dd0fb88"] = "Storage Queue Data Contributor",
        ["0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3"] = "Storage Table Data Contributor",
        ["3913510d-42f4-4e42-8a64-420c390055eb"] = "Monitoring Metrics Publisher",
        ["4633458b-17de-408a-b874-0445c86b69e6"] = "Key Vault Secrets User",
        ["b86a8fe4-44ce-4948-aee5-eccb2c155cd7"] = "Key Vault Secrets Officer",
        ["09976791-48a7-449e-bb21-39d1a415f350"] = "Communication and Email Service Owner",
    };

    /// <summary>The storage account a value names: a resource id under it, or «reference:&lt;account&gt;».primaryEndpoints.x.</summary>
    private static string Account(string value) =>
        Regex.Match(value, "Microsoft\\.Storage/storageAccounts/[a-z0-9]+") is { Success: true } m ? m.Value
            : throw new InvalidOperationException($"{value} names no storage account");

    /// <summary>
    /// Every role assignment the template makes, as (principal, role, scope) with readable names: the principal is "app"
    /// (the identity the Function App runs as, whose client id its settings name) or "user" (principalId); the scope
    /// is "host account", "data account", "tz data container" (found from the app settings that use them), or the
    /// resource type. A scope or principal the test cannot name fails it.
    /// </summary>
    private static HashSet<(string Principal, string Role, string Scope)> RoleAssignments(ArmEvaluator arm, Dictionary<string, string> settings)
    {
        // The identity the app runs as: its client id is in every identity setting; its principal gets the roles.
        var identity = Regex.Match(settings["AZURE_CLIENT_ID"], "^«reference:(Microsoft\\.ManagedIdentity/userAssignedIdentities/[^»]+)»\\.clientId$");
        Assert.True(identity.Success, $"AZURE_CLIENT_ID is {settings["AZURE_CLIENT_ID"]}, not a user-assigned identity's client id");
        var appPrincipal = $"«reference:{identity.Groups[1].Value}».principalId";

        var host = Account("Microsoft.Storage/storageAccounts/" + settings["AzureWebJobsStorage__accountName"]);
        var data = Account(settings["DeadlineAlerts__Storage__QueueServiceUri"]);
        var scopes = new Dictionary<string, string>
        {
            [host] = "host account",
            [data] = "data account",
            [$"{host}/blobServices/default/containers/tzdata"] = "tz data container",
        };

        var scope = arm.Module("rbac");
        var result = new HashSet<(string, string, string)>();
        foreach (var r in scope.Template["resources"]!.AsArray().Where(r => (string?)r!["type"] == "Microsoft.Authorization/roleAssignments"))
        {
            if (r!["condition"] is { } condition && !arm.Evaluate(condition.DeepClone(), scope)!.GetValue<bool>()) continue;
            var principal = arm.EvaluateString((string)r["properties"]!["principalId"]!, scope);
            var role = arm.EvaluateString((string)r["properties"]!["roleDefinitionId"]!, scope);
            var at = arm.EvaluateString((string)r["scope"]!, scope);
            var who = principal == appPrincipal ? "app" : principal == UserObjectId ? "user" : throw new InvalidOperationException($"unknown principal {principal}");
            var roleName = BuiltInRoles.TryGetValue(role.Split('/').Last(), out var n) ? n : throw new InvalidOperationException($"role {role} is not one this test knows");
            var where = scopes.TryGetValue(at, out var named) ? named
                : at.StartsWith("Microsoft.Storage/", StringComparison.Ordinal) ? throw new InvalidOperationException($"a storage scope the test cannot name: {at}")
                : at[..at.LastIndexOf('/')];
            result.Add((who, roleName, where));
        }
        return result;
    }

    [Fact]
    public void Host_state_and_the_apps_data_live_in_two_accounts_and_each_principal_has_only_the_roles_its_work_needs()
    {
        var arm = Arm(timeZoneDataBlobName: "2026f.nzd");
        var settings = EvaluatedAppSettings(arm);

        // Host storage (AzureWebJobsStorage) and the deployment package on one account; the app's tables and queue,
        // for its own clients and the trigger alike, on the other.
        var host = Account("Microsoft.Storage/storageAccounts/" + settings["AzureWebJobsStorage__accountName"]);
        var data = Account(settings["DeadlineAlerts__Storage__QueueServiceUri"]);
        Assert.NotEqual(host, data);
        Assert.Equal(data, Account(settings["DeadlineAlerts__Storage__TableServiceUri"]));
        Assert.Equal(data, Account(settings["DeadlineAlertsQueue__queueServiceUri"]));
        var functionApp = arm.Module("functionapp");
        var site = functionApp.Template["resources"]!.AsArray().Single(r => (string?)r!["type"] == "Microsoft.Web/sites")!;
        var package = arm.Evaluate(site["properties"]!["functionAppConfig"]!["deployment"]!["storage"]!.DeepClone(), functionApp)!;
        Assert.Equal(host, Account((string)package["value"]!));
        Assert.Equal("UserAssignedIdentity", (string?)package["authentication"]!["type"]);
        // ... read with the identity whose client id the settings name (and whose principal gets the roles below).
        Assert.Equal($"«reference:{(string)package["authentication"]!["userAssignedIdentityResourceId"]!}».clientId", settings["AZURE_CLIENT_ID"]);
        Assert.Equal(settings["AZURE_CLIENT_ID"], settings["AzureWebJobsStorage__clientId"]);
        // The tz data file is read from the host account's tz data container.
        Assert.Equal($"«reference:{host}».primaryEndpoints.blobtzdata/2026f.nzd", settings["DeadlineAlerts__TimeZoneData"]);

        Assert.Equal(new HashSet<(string, string, string)>
        {
            ("app", "Storage Blob Data Owner", "host account"),              // host locks, timers, keys; the package; tz data
            ("app", "Storage Table Data Contributor", "host account"),       // the host's diagnostic events
            ("app", "Storage Table Data Contributor", "data account"),
            ("app", "Storage Queue Data Contributor", "data account"),
            ("app", "Monitoring Metrics Publisher", "Microsoft.Insights/components"),
            ("app", "Key Vault Secrets User", "Microsoft.KeyVault/vaults"),
            ("app", "Communication and Email Service Owner", "Microsoft.Communication/communicationServices"),
            ("user", "Storage Table Data Contributor", "data account"),      // dla import
            ("user", "Storage Queue Data Contributor", "data account"),
            ("user", "Storage Blob Data Contributor", "tz data container"),  // upload a .nzd file, nothing else of the host account
            ("user", "Key Vault Secrets Officer", "Microsoft.KeyVault/vaults"),
        }, RoleAssignments(arm, settings));
    }

    [Fact]
    public void The_app_has_no_blob_role_on_the_data_account_and_without_a_principalId_the_user_gets_nothing()
    {
        var arm = Arm(principalId: "");
        var assignments = RoleAssignments(arm, EvaluatedAppSettings(arm));

        Assert.DoesNotContain(assignments, a => a.Principal == "user");
        Assert.DoesNotContain(assignments, a => a.Scope == "data account" && a.Role.StartsWith("Storage Blob", StringComparison.Ordinal));
        Assert.Equal(["Storage Queue Data Contributor", "Storage Table Data Contributor"],
            assignments.Where(a => a.Scope == "data account").Select(a => a.Role).Order());
        Assert.Equal(7, assignments.Count);
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
    public void The_azd_parameter_file_maps_only_parameters_main_bicep_has_including_publicBaseUrl_and_the_tz_data_blob()
    {
        var file = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "infra", "main.parameters.json")))!["parameters"]!.AsObject();
        var declared = Main.Value["parameters"]!.AsObject();

        Assert.All(file, kv => Assert.True(declared.ContainsKey(kv.Key), $"main.parameters.json maps {kv.Key}, which main.bicep does not declare"));
        Assert.Equal("${DEADLINEALERTS_PUBLIC_BASE_URL}", (string?)file["publicBaseUrl"]!["value"]);
        Assert.Equal("${DEADLINEALERTS_TIME_ZONE_DATA_BLOB}", (string?)file["timeZoneDataBlobName"]!["value"]);
    }

    [Fact]
    public void Local_settings_give_the_trigger_connection_a_connection_string()
    {
        var example = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "src", "DeadlineAlerts.Functions", "local.settings.example.json")))!;

        Assert.Equal("UseDevelopmentStorage=true", (string?)example["Values"]![DeliverAlerts.Connection]);
        // The trigger's queue is the one the app writes for the example's prefix (none).
        var prefix = (string?)example["Values"]!["DeadlineAlerts__TablePrefix"] ?? "";
        Assert.Equal(StorageNames.For(prefix).AlertQueue, (string?)example["Values"]![DeliverAlerts.QueueSetting]);
    }
}
