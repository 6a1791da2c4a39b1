using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Queues;

namespace DeadlineAlerts.Storage;

/// <summary>Counts storage requests so a tick can report what it cost (TickCompleted.StorageRequests).</summary>
public sealed class StorageRequestCounter : HttpPipelineSynchronousPolicy
{
    private long _count;
    public long Count => Interlocked.Read(ref _count);
    public override void OnSendingRequest(HttpMessage message) => Interlocked.Increment(ref _count);
}

/// <summary>
/// The Azure SDK clients of one installation, built once from <see cref="StorageOptions"/> and shared
/// (they are thread-safe). <see cref="EnsureCreatedAsync"/> creates the tables and queues if missing.
/// </summary>
public sealed class StorageClients
{
    public StorageNames Names { get; }
    public StorageRequestCounter Requests { get; } = new();
    public TableServiceClient Tables { get; }
    public QueueServiceClient Queues { get; }

    /// <summary>
    /// The Entra ID credential both clients sign in with (service URIs, managed identity), or null when they
    /// use a connection string (account key or Azurite). Neither way makes a network call until a request.
    /// </summary>
    public TokenCredential? Credential { get; }

    public StorageClients(StorageOptions options, TokenCredential? credential = null)
    {
        Names = StorageNames.For(options.TablePrefix);
        var tableOptions = new TableClientOptions();
        tableOptions.AddPolicy(Requests, HttpPipelinePosition.PerCall);
        var queueOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        queueOptions.AddPolicy(Requests, HttpPipelinePosition.PerCall);

        if (options.Problem is { } problem && string.IsNullOrWhiteSpace(options.ConnectionString) && options.TableServiceUri is null)
            throw new InvalidOperationException(problem);
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            Tables = new TableServiceClient(options.ConnectionString, tableOptions);
            Queues = new QueueServiceClient(options.ConnectionString, queueOptions);
        }
        else if (options.TableServiceUri is not null && options.QueueServiceUri is not null && credential is not null)
        {
            Tables = new TableServiceClient(options.TableServiceUri, credential, tableOptions);
            Queues = new QueueServiceClient(options.QueueServiceUri, credential, queueOptions);
            Credential = credential;
        }
        else
        {
            throw new InvalidOperationException(
                "Storage is not configured: set DeadlineAlerts__Storage to a connection string (UseDevelopmentStorage=true for Azurite), " +
                "or DeadlineAlerts__Storage__TableServiceUri and DeadlineAlerts__Storage__QueueServiceUri for managed identity.");
        }
    }

    public TableClient Table(string name) => Tables.GetTableClient(name);
    public QueueClient Queue(string name) => Queues.GetQueueClient(name);

    /// <summary>Creates every table and both queues that are missing (concurrently; each is one idempotent request).</summary>
    public async Task EnsureCreatedAsync(CancellationToken ct = default) =>
        await Task.WhenAll(Names.Tables.Select(t => (Task)Tables.GetTableClient(t).CreateIfNotExistsAsync(ct))
            .Append(Queues.GetQueueClient(Names.AlertQueue).CreateIfNotExistsAsync(cancellationToken: ct))
            .Append(Queues.GetQueueClient(Names.PoisonQueue).CreateIfNotExistsAsync(cancellationToken: ct)));
}
