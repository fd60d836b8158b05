using System.Threading.Channels;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using TinyRpc.Dispatch;
using TinyRpc.Exceptions;
using TinyRpc.Server;

namespace TinyRpc.Transports;

/// <summary>
/// Server transport consuming a RabbitMQ queue (tinyrpc's <c>RabbitMQServerTransport</c>). A request's
/// reply is published to the default exchange with the request's reply-to as routing key and its
/// correlation id; only then is the request acknowledged, so a server that dies mid-call leaves the request
/// to be delivered again. Several servers consuming one queue share its load.
/// </summary>
/// <remarks>
/// <para>The transport declares its queue (non-durable, not exclusive, not auto-deleted, like tinyrpc) and,
/// with a non-empty exchange, binds it to that exchange under the queue's name; the exchange itself must
/// exist. Replies always go through the default exchange, which reaches both direct reply-to
/// (<c>amq.rabbitmq.reply-to</c>) and exclusive reply queues.</para>
/// <para>A request with the caller's deadline (the header <c>x-tinyrpc-deadline</c>, which
/// <see cref="RabbitMQClientTransport"/> sends) carries it as <see cref="RpcInboundMessage.Deadline"/>: the server
/// acknowledges one whose deadline has passed without running it, and the method's token fires at the deadline.</para>
/// <para>A notification, or a request without reply-to, is acknowledged without a reply. After the broker
/// restarts, the client library's automatic recovery reconnects and consumes again, and the transport
/// declares its queue and binding again, since a non-durable queue does not survive a restart.</para>
/// </remarks>
public sealed class RabbitMQServerTransport : IServerTransport, IAsyncDisposable
{
    private readonly IConnection _connection;
    private readonly bool _ownsConnection;
    private readonly IChannel _channel;
    private readonly SemaphoreSlim _channelLock = new(1, 1);
    private readonly Channel<RpcInboundMessage> _requests = Channel.CreateUnbounded<RpcInboundMessage>();
    private readonly Dictionary<string, byte[]?> _seen = new(StringComparer.Ordinal);
    private readonly Queue<string> _seenOrder = new();
    private string? _consumerTag;
    private int _redeliveryFilterCapacity;
    private int _disposed;
    private long _filteredRedeliveries;

    private RabbitMQServerTransport(IConnection connection, bool ownsConnection, IChannel channel, string queue, string exchange)
    {
        _connection = connection;
        _ownsConnection = ownsConnection;
        _channel = channel;
        Queue = queue;
        Exchange = exchange;
    }

    /// <summary>The queue the transport consumes.</summary>
    public string Queue { get; }

    /// <summary>The exchange the queue is bound to; empty for the default exchange.</summary>
    public string Exchange { get; }

    /// <summary>How many requests the broker hands this server before any is acknowledged (AMQP prefetch).</summary>
    public ushort Prefetch { get; private init; }

    /// <summary>
    /// How many requests the opt-in duplicate filter remembers; 0 (the default) turns it off. Set it before
    /// requests arrive: a request received while it is 0 is not remembered.
    /// </summary>
    /// <remarks>
    /// <para>With the filter on, the transport remembers the last <see cref="RedeliveryFilterCapacity"/> requests it
    /// received, each by its AMQP message id, or else by its correlation id and reply-to (a request with neither is
    /// not remembered), together with its reply once sent. When the broker delivers one of them again (the
    /// delivery's redelivered flag is set), the transport does not hand it to the server: it acknowledges it and
    /// publishes the remembered reply again, or, while the first delivery is still running, only acknowledges it,
    /// since the running call replies to the same caller. A remembered reply is held until
    /// <see cref="RedeliveryFilterCapacity"/> newer requests push it out, so memory grows with that many replies.</para>
    /// <para>The filter sees only what this transport ran. A request that a server process which died had taken
    /// runs again on whichever server the broker delivers it to next: no filter in one process can know what
    /// another ran. Methods that must not run twice across processes need an idempotency key the
    /// application checks in its own store.</para>
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int RedeliveryFilterCapacity
    {
        get => Volatile.Read(ref _redeliveryFilterCapacity);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            Volatile.Write(ref _redeliveryFilterCapacity, value);
        }
    }

    /// <summary>Redelivered requests the duplicate filter acknowledged without running them again.</summary>
    public long FilteredRedeliveries => Interlocked.Read(ref _filteredRedeliveries);

    /// <summary>
    /// Serves <paramref name="queue"/> over <paramref name="connection"/>, which stays the caller's to close.
    /// For recovery after a broker restart, open the connection with automatic and topology recovery
    /// enabled (both are by default).
    /// </summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="queue">The queue to consume; declared if missing.</param>
    /// <param name="exchange">The exchange clients publish to; empty for the default exchange.</param>
    /// <param name="prefetch">Requests handed over before any is acknowledged; match <see cref="RpcServerOptions.MaxConcurrency"/>.</param>
    /// <param name="cancellationToken">Cancels the setup.</param>
    /// <exception cref="RpcTransportException">The queue could not be declared, bound or consumed.</exception>
    public static Task<RabbitMQServerTransport> CreateAsync(IConnection connection, string queue, string exchange = "", ushort prefetch = 64, CancellationToken cancellationToken = default)
        => CreateAsync(connection, ownsConnection: false, queue, exchange, prefetch, cancellationToken);

    /// <summary>
    /// Connects to the broker on <paramref name="hostName"/> and serves <paramref name="queue"/> (tinyrpc's
    /// <c>create</c>). The transport owns that connection, which recovers automatically after a broker restart.
    /// A <paramref name="hostName"/> written as an AMQP URI (<c>amqp://…</c>) is read as in
    /// <see cref="CreateAsync(Uri, string, string, ushort, CancellationToken)"/>.
    /// </summary>
    /// <exception cref="RpcTransportException">The broker cannot be reached, or the queue could not be set up.</exception>
    public static Task<RabbitMQServerTransport> CreateAsync(string hostName, string queue, string exchange = "", int port = 5672, ushort prefetch = 64, CancellationToken cancellationToken = default)
        => CreateAsync(RabbitMQConnections.CreateFactory(hostName, port), queue, exchange, prefetch, cancellationToken);

    /// <summary>
    /// Connects to the broker an AMQP URI names, <c>amqp://user:password@host:port/vhost</c> (<c>amqps://</c> for
    /// TLS; the path is the virtual host, as the URI specification says), and serves <paramref name="queue"/>.
    /// The transport owns that connection, which recovers automatically after a broker restart.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="amqpUri"/> is not an AMQP URI.</exception>
    /// <exception cref="RpcTransportException">The broker cannot be reached, refused the credentials or the virtual host, or the queue could not be set up.</exception>
    public static Task<RabbitMQServerTransport> CreateAsync(Uri amqpUri, string queue, string exchange = "", ushort prefetch = 64, CancellationToken cancellationToken = default)
        => CreateAsync(RabbitMQConnections.CreateFactory(amqpUri), queue, exchange, prefetch, cancellationToken);

    /// <summary>Connects with <paramref name="factory"/> and serves <paramref name="queue"/>; the transport owns the connection.</summary>
    /// <exception cref="RpcTransportException">The broker cannot be reached, or the queue could not be set up.</exception>
    public static async Task<RabbitMQServerTransport> CreateAsync(ConnectionFactory factory, string queue, string exchange = "", ushort prefetch = 64, CancellationToken cancellationToken = default)
    {
        IConnection connection = await RabbitMQConnections.ConnectAsync(factory, "TinyRpc server " + queue, cancellationToken).ConfigureAwait(false);
        try
        {
            return await CreateAsync(connection, ownsConnection: true, queue, exchange, prefetch, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<RabbitMQServerTransport> CreateAsync(IConnection connection, bool ownsConnection, string queue, string exchange, ushort prefetch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentException.ThrowIfNullOrEmpty(queue);
        ArgumentNullException.ThrowIfNull(exchange);
        ArgumentOutOfRangeException.ThrowIfZero(prefetch);
        IChannel? channel = null;
        try
        {
            channel = await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
                cancellationToken).ConfigureAwait(false);
            var transport = new RabbitMQServerTransport(connection, ownsConnection, channel, queue, exchange) { Prefetch = prefetch };
            await transport.DeclareAsync(cancellationToken).ConfigureAwait(false);
            await channel.BasicQosAsync(0, prefetch, false, cancellationToken).ConfigureAwait(false);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += transport.OnReceivedAsync;
            transport._consumerTag = await channel.BasicConsumeAsync(queue, autoAck: false, consumer, cancellationToken).ConfigureAwait(false);
            connection.RecoverySucceededAsync += transport.OnRecoveredAsync;
            return transport;
        }
        catch (Exception e) when (RabbitMQConnections.IsBrokerFailure(e))
        {
            if (channel is not null)
            {
                await channel.DisposeAsync().ConfigureAwait(false);
            }

            throw RabbitMQConnections.Wrap($"serve the RabbitMQ queue '{queue}'", e);
        }
    }

    /// <inheritdoc/>
    public async ValueTask<RpcInboundMessage?> ReceiveMessageAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _requests.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="context"/> did not come from this transport.</exception>
    /// <exception cref="RpcTransportException">The reply could not be published; the request stays unacknowledged and is delivered again.</exception>
    public async ValueTask SendReplyAsync(object? context, ReadOnlyMemory<byte> reply, CancellationToken cancellationToken = default)
    {
        if (context is not Delivery delivery)
        {
            throw new ArgumentException("The context does not come from a RabbitMQ server transport.", nameof(context));
        }

        await _channelLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!reply.IsEmpty && !string.IsNullOrEmpty(delivery.ReplyTo))
            {
                var properties = new BasicProperties { CorrelationId = delivery.CorrelationId };
                await _channel.BasicPublishAsync(string.Empty, delivery.ReplyTo, mandatory: false, properties, reply, cancellationToken).ConfigureAwait(false);
            }

            Remember(delivery.Key, reply);
            await _channel.BasicAckAsync(delivery.Tag, multiple: false, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (RabbitMQConnections.IsBrokerFailure(e))
        {
            throw RabbitMQConnections.Wrap($"reply to a request from the RabbitMQ queue '{Queue}'", e);
        }
        finally
        {
            _channelLock.Release();
        }
    }

    /// <summary>
    /// Stops consuming and closes the channel (and the connection when the transport opened it). Pending
    /// receives return null; requests not yet acknowledged go back to the queue.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _connection.RecoverySucceededAsync -= OnRecoveredAsync;
        _requests.Writer.TryComplete();
        try
        {
            if (_consumerTag is not null && _channel.IsOpen)
            {
                await _channel.BasicCancelAsync(_consumerTag, noWait: false, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (RabbitMQConnections.IsBrokerFailure(e) || e is TimeoutException)
        {
        }

        await _channel.DisposeAsync().ConfigureAwait(false);
        if (_ownsConnection)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task DeclareAsync(CancellationToken cancellationToken)
    {
        await _channel.QueueDeclareAsync(Queue, durable: false, exclusive: false, autoDelete: false, arguments: null, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (Exchange.Length > 0)
        {
            await _channel.QueueBindAsync(Queue, Exchange, Queue, arguments: null, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task OnReceivedAsync(object sender, BasicDeliverEventArgs e)
    {
        string? key = RedeliveryFilterCapacity > 0 ? KeyOf(e.BasicProperties) : null;
        var delivery = new Delivery(e.DeliveryTag, e.BasicProperties, key)
        {
            TraceParent = HeaderText(e.BasicProperties, "traceparent"),
            TraceState = HeaderText(e.BasicProperties, "tracestate"),
        };
        if (key is not null && IsDuplicate(key, e.Redelivered, out byte[]? cachedReply))
        {
            await AnswerDuplicateAsync(delivery, cachedReply).ConfigureAwait(false);
            return;
        }

        // The body is only valid during this call.
        // Once disposed the write fails and the request, unacknowledged, goes back to the queue.
        var request = new RpcInboundMessage(delivery, e.Body.ToArray());
        if (RabbitMQConnections.DeadlineOf(e.BasicProperties) is { } deadline)
        {
            request = request with { Deadline = deadline };
        }

        _requests.Writer.TryWrite(request);
    }

    private static string? KeyOf(IReadOnlyBasicProperties properties)
        => !string.IsNullOrEmpty(properties.MessageId) ? "m:" + properties.MessageId
            : !string.IsNullOrEmpty(properties.CorrelationId) && !string.IsNullOrEmpty(properties.ReplyTo) ? "c:" + properties.CorrelationId + "\n" + properties.ReplyTo
            : null;

    /// <summary>Records a first delivery as running; says whether a redelivery is one already seen, and its reply if sent.</summary>
    private bool IsDuplicate(string key, bool redelivered, out byte[]? cachedReply)
    {
        lock (_seen)
        {
            if (redelivered && _seen.TryGetValue(key, out cachedReply))
            {
                return true;
            }

            cachedReply = null;
            if (_seen.TryAdd(key, null))
            {
                _seenOrder.Enqueue(key);
                while (_seenOrder.Count > Math.Max(1, RedeliveryFilterCapacity))
                {
                    _seen.Remove(_seenOrder.Dequeue());
                }
            }
            else
            {
                // The same id, not redelivered: a new request reusing it runs, and its reply replaces the old one.
                _seen[key] = null;
            }

            return false;
        }
    }

    private void Remember(string? key, ReadOnlyMemory<byte> reply)
    {
        if (key is null)
        {
            return;
        }

        lock (_seen)
        {
            if (_seen.ContainsKey(key))
            {
                _seen[key] = reply.ToArray();
            }
        }
    }

    private async Task AnswerDuplicateAsync(Delivery delivery, byte[]? cachedReply)
    {
        Interlocked.Increment(ref _filteredRedeliveries);
        await _channelLock.WaitAsync().ConfigureAwait(false);
        try
        {
            // Without a remembered reply the first delivery is still running, and it replies to the same caller.
            if (cachedReply is { Length: > 0 } && !string.IsNullOrEmpty(delivery.ReplyTo))
            {
                var properties = new BasicProperties { CorrelationId = delivery.CorrelationId };
                await _channel.BasicPublishAsync(string.Empty, delivery.ReplyTo, mandatory: false, properties, cachedReply).ConfigureAwait(false);
            }

            await _channel.BasicAckAsync(delivery.Tag, multiple: false).ConfigureAwait(false);
        }
        catch (Exception error) when (RabbitMQConnections.IsBrokerFailure(error))
        {
            // Unacknowledged, the request comes back and is filtered again.
        }
        finally
        {
            _channelLock.Release();
        }
    }

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

    // The properties of a message of this transport (for RpcCallContext.GetBasicProperties); null for another context.
    internal static IReadOnlyBasicProperties? PropertiesOf(object? context) => (context as Delivery)?.Properties;

    // AMQP carries a string header as bytes (a long string); a publisher may also have sent it as text.
    private static string? HeaderText(IReadOnlyBasicProperties properties, string name)
        => properties.Headers is { } headers && headers.TryGetValue(name, out object? value)
            ? value switch
            {
                byte[] bytes => System.Text.Encoding.UTF8.GetString(bytes),
                string text => text,
                _ => null,
            }
            : null;

    // A request's properties (the client library's copy, read from the frame when the message arrived: they outlive
    // the handler), and the W3C trace context its publisher put in its headers.
    private sealed record Delivery(ulong Tag, IReadOnlyBasicProperties Properties, string? Key) : IRpcTraceContextCarrier
    {
        public string? ReplyTo => Properties.ReplyTo;

        public string? CorrelationId => Properties.CorrelationId;

        public string? TraceParent { get; init; }

        public string? TraceState { get; init; }

        public bool IsConnectionContext => false;
    }
}
