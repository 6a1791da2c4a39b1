using DeadlineAlerts.Core.Delivery;
using Microsoft.Extensions.Options;

namespace DeadlineAlerts.App.Deliver;

/// <summary>A composition and what came of sending it (null: it was not sent, see <see cref="Composition.NotSent"/>).</summary>
public sealed record Sent(Composition Composition, DeliveryOutcome? Outcome);

/// <summary>
/// Stage 3. Sends each composed row through its channel's one <see cref="IAlertChannel.SendAsync"/>, at most
/// <see cref="AlertsOptions.DeliveryConcurrency"/> at once in this process, whatever the number of messages being
/// handled. A channel returns outcomes and should not throw; an
/// exception is a transient failure described by its type only (exception messages can carry URLs with tokens).
/// </summary>
public sealed class SendStage(IEnumerable<IAlertChannel> channels, IOptions<AlertsOptions> options) : IDisposable
{
    private readonly Dictionary<string, IAlertChannel> _channels = channels.ToDictionary(c => c.Type, StringComparer.OrdinalIgnoreCase);
    private readonly SemaphoreSlim _inFlight = new(Math.Max(1, options.Value.DeliveryConcurrency));

    public void Dispose() => _inFlight.Dispose();

    public async Task<IReadOnlyList<Sent>> RunAsync(IReadOnlyList<Composition> composed, CancellationToken ct)
    {
        var results = await Task.WhenAll(composed.Select(async c =>
        {
            if (c.NotSent is not null) return new Sent(c, null);
            await _inFlight.WaitAsync(ct);
            try { return new Sent(c, await SendAsync(c, ct)); }
            finally { _inFlight.Release(); }
        }));
        return results;
    }

    private async Task<DeliveryOutcome?> SendAsync(Composition c, CancellationToken ct)
    {
        if (c.NotSent is not null || c.View is null || c.Channel is null) return null;
        if (!_channels.TryGetValue(c.Channel.Type, out var channel))
            return DeliveryOutcome.Permanent($"no channel can send type \"{c.Channel.Type}\" in this installation");
        try
        {
            return await channel.SendAsync(c.View, c.Channel, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return DeliveryOutcome.Retry($"unexpected {e.GetType().Name} in the {c.Channel.Type} channel");
        }
    }
}
