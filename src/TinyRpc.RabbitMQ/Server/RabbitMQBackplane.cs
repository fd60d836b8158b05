using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Transports;

namespace TinyRpc.Server;

/// <summary>
/// Broadcasts notifications to the connected clients of every server process that uses the same backplane: one
/// RabbitMQ fanout exchange, and one exclusive, auto-deleted queue per process bound to it. A notification broadcast
/// by any process reaches the clients of all of them, each once.
/// </summary>
/// <remarks>
/// <para>The published message is the encoded notification, as the server's protocol wrote it, so any protocol works;
/// every process of one backplane must speak the same protocol to its clients. A process hands the broadcasts of the
/// others to the clients connected to it now (<see cref="IDuplexServerTransport.Peers"/>), and its own to its clients
/// directly: it ignores its own message when the exchange brings it back, so no client gets it twice.</para>
/// <para>When the connection to the broker is lost, <see cref="BroadcastAsync(RpcRequest, CancellationToken)"/> fails
/// with <see cref="RpcTransportException"/> and delivers to no one, not even to this process's clients, so retrying it
/// sends nothing twice; nothing is queued. The client library's automatic recovery reconnects (every second), and the
/// backplane declares its exchange, queue and binding again; broadcasts work again from then on. Broadcasts that the
/// other processes made while this one was disconnected do not reach its clients.</para>
/// <para>Broadcasts one process makes one after another reach each client in that order; broadcasts of different
/// processes have no order between them.</para>
/// </remarks>
public sealed class RabbitMQBackplane : IAsyncDisposable
{
    /// <summary>The exchange a backplane uses when none is named.</summary>
    public const string DefaultExchange = "tinyrpc.broadcast";

    private const string OriginHeader = "x-tinyrpc-origin";
    private readonly IConnection _connection;
    private readonly bool _ownsConnection;
    private readonly IChannel _channel;
    private readonly IDuplexServerTransport _transport;
    private readonly RpcProtocol _protocol;
    private readonly SemaphoreSlim _publishLock = new(1, 1);
    private readonly string _origin = Guid.NewGuid().ToString("N");
    private long _received;
    private int _disposed;

    private RabbitMQBackplane(IConnection connection, bool ownsConnection, IChannel channel, RpcServer server, IDuplexServerTransport transport, string exchange)
    {
        _connection = connection;
        _ownsConnection = ownsConnection;
        _channel = channel;
        _transport = transport;
        _protocol = server.Protocol;
        Exchange = exchange;
        Queue = $"{exchange}.{Environment.ProcessId}.{_origin[..12]}";
    }

    /// <summary>The fanout exchange every process of this backplane publishes to.</summary>
    public string Exchange { get; }

    /// <summary>This process's exclusive queue, bound to <see cref="Exchange"/>.</summary>
    public string Queue { get; }

    /// <summary>How long a broadcast waits for the broker to confirm it before it fails. 10 s by default.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Broadcasts of other processes this backplane has received and handed to its clients.</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>
    /// Connects to the broker on <paramref name="hostName"/> and joins the backplane of <paramref name="exchange"/> for
    /// the clients of <paramref name="server"/>. The backplane owns that connection, which recovers by itself after the
    /// broker restarts. A <paramref name="hostName"/> written as an AMQP URI (<c>amqp://…</c>) is read as one.
    /// </summary>
    /// <exception cref="ArgumentException">The server's transport does not keep its clients connected (<see cref="IDuplexServerTransport"/>).</exception>
    /// <exception cref="RpcTransportException">The broker cannot be reached, or the exchange or queue could not be set up.</exception>
    public static Task<RabbitMQBackplane> CreateAsync(RpcServer server, string hostName, string exchange = DefaultExchange, int port = 5672, CancellationToken cancellationToken = default)
        => CreateAsync(server, RabbitMQConnections.CreateFactory(hostName, port), exchange, cancellationToken);

    /// <summary>Connects with <paramref name="factory"/> (the backplane owns the connection) and joins the backplane of <paramref name="exchange"/>.</summary>
    /// <exception cref="ArgumentException">The server's transport does not keep its clients connected (<see cref="IDuplexServerTransport"/>).</exception>
    /// <exception cref="RpcTransportException">The broker cannot be reached, or the exchange or queue could not be set up.</exception>
    public static async Task<RabbitMQBackplane> CreateAsync(RpcServer server, ConnectionFactory factory, string exchange = DefaultExchange, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        _ = DuplexOf(server);
        IConnection connection = await RabbitMQConnections.ConnectAsync(factory, "TinyRpc backplane " + exchange, cancellationToken).ConfigureAwait(false);
        try
        {
            return await CreateAsync(server, connection, ownsConnection: true, exchange, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Joins the backplane of <paramref name="exchange"/> over <paramref name="connection"/>, which stays the caller's to
    /// close. For recovery after a broker restart, open it with automatic and topology recovery enabled (both are by default).
    /// </summary>
    /// <exception cref="ArgumentException">The server's transport does not keep its clients connected (<see cref="IDuplexServerTransport"/>).</exception>
    /// <exception cref="RpcTransportException">The exchange or queue could not be set up.</exception>
    public static Task<RabbitMQBackplane> CreateAsync(RpcServer server, IConnection connection, string exchange = DefaultExchange, CancellationToken cancellationToken = default)
        => CreateAsync(server, connection, ownsConnection: false, exchange, cancellationToken);

    private static IDuplexServerTransport DuplexOf(RpcServer server)
        => server.Transport as IDuplexServerTransport
            ?? throw new ArgumentException(
                $"The server's transport ({server.Transport.GetType().Name}) does not keep its clients connected, so it has no clients to broadcast to.", nameof(server));

    private static async Task<RabbitMQBackplane> CreateAsync(RpcServer server, IConnection connection, bool ownsConnection, string exchange, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentException.ThrowIfNullOrEmpty(exchange);
        IDuplexServerTransport transport = DuplexOf(server);
        IChannel? channel = null;
        try
        {
            channel = await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
                cancellationToken).ConfigureAwait(false);
            var backplane = new RabbitMQBackplane(connection, ownsConnection, channel, server, transport, exchange);
            await backplane.DeclareAsync(cancellationToken).ConfigureAwait(false);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += backplane.OnReceivedAsync;
            await channel.BasicConsumeAsync(backplane.Queue, autoAck: true, consumer, cancellationToken).ConfigureAwait(false);
            connection.RecoverySucceededAsync += backplane.OnRecoveredAsync;
            return backplane;
        }
        catch (Exception e) when (RabbitMQConnections.IsBrokerFailure(e))
        {
            if (channel is not null)
            {
                await channel.DisposeAsync().ConfigureAwait(false);
            }

            throw RabbitMQConnections.Wrap($"join the RabbitMQ backplane on exchange '{exchange}'", e);
        }
    }

    /// <summary>
    /// Sends the notification <paramref name="method"/> with these arguments to every client of every process of the
    /// backplane, written by the server's protocol; see <see cref="BroadcastAsync(RpcRequest, CancellationToken)"/>.
    /// </summary>
    /// <exception cref="RpcTransportException">The broker did not take the notification; no client was sent it.</exception>
    public Task BroadcastAsync(string method, IReadOnlyList<object?>? args = null, IReadOnlyDictionary<string, object?>? kwargs = null, CancellationToken cancellationToken = default)
        => BroadcastAsync(_protocol.CreateRequest(method, args, kwargs, oneWay: true), cancellationToken);

    /// <summary>
    /// Publishes <paramref name="notification"/> to the exchange and, once the broker has confirmed it, sends it to the
    /// clients connected to this process; the other processes send it to theirs when it reaches them. A client that
    /// leaves meanwhile is skipped.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="notification"/> is a request that expects a reply.</exception>
    /// <exception cref="RpcTransportException">
    /// The broker did not confirm the notification within <see cref="PublishTimeout"/>, or the connection to it is lost
    /// (it recovers by itself): no client was sent it, here or elsewhere.
    /// </exception>
    public async Task BroadcastAsync(RpcRequest notification, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(notification);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (!notification.OneWay)
        {
            throw new ArgumentException("Only a notification can be broadcast: a request's replies would have nowhere to go.", nameof(notification));
        }

        ReadOnlyMemory<byte> message = notification.Serialize();
        var properties = new BasicProperties { Headers = new Dictionary<string, object?> { [OriginHeader] = _origin } };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(PublishTimeout);
        await _publishLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // With publisher confirms the publish returns once the broker has the message, or throws.
            await _channel.BasicPublishAsync(Exchange, string.Empty, mandatory: false, properties, message, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RpcTransportException($"The RabbitMQ broker did not confirm the broadcast on exchange '{Exchange}' within {PublishTimeout.TotalSeconds:0.###} s; it may or may not reach the other processes.", e);
        }
        catch (Exception e) when (RabbitMQConnections.IsBrokerFailure(e))
        {
            throw RabbitMQConnections.Wrap($"broadcast on the RabbitMQ exchange '{Exchange}'", e);
        }
        finally
        {
            _publishLock.Release();
        }

        await SendToClientsAsync(message).ConfigureAwait(false);
    }

    /// <summary>Leaves the backplane: closes the channel, which deletes the queue, and the connection when the backplane opened it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _connection.RecoverySucceededAsync -= OnRecoveredAsync;
        await _channel.DisposeAsync().ConfigureAwait(false);
        if (_ownsConnection)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task DeclareAsync(CancellationToken cancellationToken)
    {
        await _channel.ExchangeDeclareAsync(Exchange, ExchangeType.Fanout, durable: true, autoDelete: false, arguments: null, cancellationToken: cancellationToken).ConfigureAwait(false);
        await _channel.QueueDeclareAsync(Queue, durable: false, exclusive: true, autoDelete: true, arguments: null, cancellationToken: cancellationToken).ConfigureAwait(false);
        await _channel.QueueBindAsync(Queue, Exchange, string.Empty, arguments: null, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    // The client library's topology recovery declares them again too; declaring is idempotent, and this also covers a
    // connection opened without topology recovery.
    private async Task OnRecoveredAsync(object sender, AsyncEventArgs e)
    {
        try
        {
            await DeclareAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception error) when (RabbitMQConnections.IsBrokerFailure(error))
        {
            // The next recovery tries again.
        }
    }

    private async Task OnReceivedAsync(object sender, BasicDeliverEventArgs e)
    {
        if (e.BasicProperties.Headers is { } headers && headers.TryGetValue(OriginHeader, out object? origin)
            && origin is byte[] bytes && System.Text.Encoding.UTF8.GetString(bytes) == _origin)
        {
            return; // this process's own broadcast, already sent to its clients
        }

        Interlocked.Increment(ref _received);

        // Awaited here, so that the broadcasts of one process reach each client in the order they were made: the
        // consumer hands over one delivery at a time. The body is only valid during this call.
        await SendToClientsAsync(e.Body.ToArray()).ConfigureAwait(false);
    }

    private async Task SendToClientsAsync(ReadOnlyMemory<byte> message)
    {
        IReadOnlyList<object> peers = _transport.Peers;
        if (peers.Count == 0)
        {
            return;
        }

        // A client that does not read holds back no other, and the next broadcasts only for a bounded time.
        using var timeout = new CancellationTokenSource(PublishTimeout);
        var sends = new Task[peers.Count];
        for (int i = 0; i < peers.Count; i++)
        {
            sends[i] = SendToClientAsync(peers[i], message, timeout.Token);
        }

        await Task.WhenAll(sends).ConfigureAwait(false);
    }

    private async Task SendToClientAsync(object peer, ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        try
        {
            await _transport.SendToPeerAsync(peer, message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RpcTransportException or IOException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            // The client left while the broadcast went out, or did not read it in time: the others still get it.
        }
    }
}
