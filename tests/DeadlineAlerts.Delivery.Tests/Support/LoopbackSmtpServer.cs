using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using MimeKit;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace DeadlineAlerts.Delivery.Tests.Support;

/// <summary>A real SMTP server (the SmtpServer package) on 127.0.0.1, plain text. Recipients can be scripted to fail.</summary>
public sealed class LoopbackSmtpServer : IAsyncDisposable
{
    private readonly SmtpServer.SmtpServer _server;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;
    public int Port { get; }
    public ConcurrentQueue<MimeMessage> Messages { get; } = new();
    /// <summary>Reply code for RCPT TO, per recipient address (e.g. 550, 451); absent means accept.</summary>
    public ConcurrentDictionary<string, int> RecipientReplies { get; } = new(StringComparer.OrdinalIgnoreCase);

    private LoopbackSmtpServer(int port)
    {
        Port = port;
        var options = new SmtpServerOptionsBuilder()
            .ServerName("localhost")
            .Endpoint(b => b.Endpoint(new IPEndPoint(IPAddress.Loopback, port)))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(this));
        services.Add(new Filter(this));
        _server = new SmtpServer.SmtpServer(options, services);
        _running = _server.StartAsync(_stop.Token);
    }

    public static LoopbackSmtpServer Start() => new(FreePort());

    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try { await _running; } catch (OperationCanceledException) { }
    }

    private sealed class Store(LoopbackSmtpServer owner) : MessageStore
    {
        public override Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            using var stream = new MemoryStream(buffer.ToArray());
            owner.Messages.Enqueue(MimeMessage.Load(stream, cancellationToken));
            return Task.FromResult(SmtpResponse.Ok);
        }
    }

    private sealed class Filter(LoopbackSmtpServer owner) : IMailboxFilter
    {
        public Task<bool> CanAcceptFromAsync(ISessionContext context, IMailbox from, int size, CancellationToken cancellationToken) => Task.FromResult(true);

        public Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken)
        {
            if (owner.RecipientReplies.TryGetValue($"{to.User}@{to.Host}", out var code))
                throw new SmtpResponseException(new SmtpResponse((SmtpReplyCode)code, code >= 500 ? "5.1.1 No such user here" : "4.2.1 Mailbox busy, try later"));
            return Task.FromResult(true);
        }
    }
}
