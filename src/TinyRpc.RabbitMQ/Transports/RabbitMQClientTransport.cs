using System.Diagnostics;
using System.Collections.Concurrent;
using System.Globalization;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using TinyRpc.Exceptions;

namespace TinyRpc.Transports;

/// <summary>
/// Client transport over RabbitMQ (tinyrpc's <c>RabbitMQClientTransport</c>): publishes each message to an
/// exchange under a routing key and awaits the reply that carries its correlation id. Replies come back
/// through direct reply-to (<c>amq.rabbitmq.reply-to</c>), so no reply queue is declared. Any number of
/// calls may be outstanding at once, from any threads.
/// </summary>
/// <remarks>
/// <para>A request carries its deadline, <see cref="Timeout"/> from when it is published: as its AMQP <c>expiration</c>
/// (the broker drops it once it has waited that long in the queue) and as the header <c>x-tinyrpc-deadline</c> (Unix
/// milliseconds, UTC), with which a TinyRpc server does not start it after the deadline and cancels its method's
/// <see cref="CancellationToken"/> at the deadline. Servers on other machines need clocks kept in step (NTP).</para>
/// Messages are published as mandatory: when no queue takes one (no server has declared it yet), the
/// broker returns it and the call fails at once instead of timing out. A call without a reply within
/// <see cref="Timeout"/> fails with an <see cref="RpcTransportException"/>; a late reply, or a second reply to one call, is discarded.
/// When the connection to the broker is lost (the broker stops or restarts, the network fails, the broker closes the
/// connection), the calls waiting for replies fail at once with an <see cref="RpcTransportException"/>, since their
/// replies can no longer arrive; calls made while it is down fail too, and once the client library has recovered
/// the connection, later calls work.
/// </remarks>
public sealed class RabbitMQClientTransport : IClientTransport, IAsyncDisposable
{
    private const string DirectReplyTo = "amq.rabbitmq.reply-to";
    private readonly IConnection _connection;
    private readonly bool _ownsConnection;
    private readonly IChannel _channel;
    private readonly SemaphoreSlim _publishLock = new(1, 1);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<byte[]>> _pending = new(StringComparer.Ordinal);
    private readonly string _idPrefix = Guid.NewGuid().ToString("N")[..12] + "-";
    private long _nextId;
    private long _discardedReplies;
    private int _disposed;

    private RabbitMQClientTransport(IConnection connection, bool ownsConnection, IChannel channel, string routingKey, string exchange)
    {
        _connection = connection;
        _ownsConnection = ownsConnection;
        _channel = channel;
        RoutingKey = routingKey;
        Exchange = exchange;
    }

    /// <summary>The routing key messages are published under.</summary>
    public string RoutingKey { get; }

    /// <summary>The exchange messages are published to; empty for the default exchange.</summary>
    public string Exchange { get; }

    /// <summary>How long a call waits for its reply; <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> waits forever. 30 s by default.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Calls waiting for their reply.</summary>
    public int PendingCalls => _pending.Count;

    /// <summary>
    /// Replies dropped because no call waits for them: a second reply to a call already answered (its request ran
    /// twice, after a redelivery), a reply after its call timed out, or one with an unknown correlation id.
    /// </summary>
    public long DiscardedReplies => Interlocked.Read(ref _discardedReplies);

    /// <summary>
    /// Publishes over <paramref name="connection"/>, which stays the caller's to close. With the default
    /// exchange, <paramref name="routingKey"/> is the server's queue name.
    /// </summary>
    /// <exception cref="RpcTransportException">The channel or the reply consumer could not be set up.</exception>
    public static Task<RabbitMQClientTransport> CreateAsync(IConnection connection, string routingKey, string exchange = "", CancellationToken cancellationToken = default)
        => CreateAsync(connection, ownsConnection: false, routingKey, exchange, cancellationToken);

    /// <summary>
    /// Connects to the broker on <paramref name="hostName"/> (tinyrpc's <c>create</c>). The transport owns
    /// that connection, which recovers automatically after a broker restart. A <paramref name="hostName"/>
    /// written as an AMQP URI (<c>amqp://…</c>) is read as in <see cref="CreateAsync(Uri, string, string, CancellationToken)"/>.
    /// </summary>
    /// <exception cref="RpcTransportException">The broker cannot be reached.</exception>
    public static Task<RabbitMQClientTransport> CreateAsync(string hostName, string routingKey, string exchange = "", int port = 5672, CancellationToken cancellationToken = default)
        => CreateAsync(RabbitMQConnections.CreateFactory(hostName, port), routingKey, exchange, cancellationToken);

    /// <summary>
    /// Connects to the broker an AMQP URI names, <c>amqp://user:password@host:port/vhost</c> (<c>amqps://</c> for
    /// TLS; the path is the virtual host, as the URI specification says), and publishes to <paramref name="routingKey"/>.
    /// The transport owns that connection, which recovers automatically after a broker restart.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="amqpUri"/> is not an AMQP URI.</exception>
    /// <exception cref="RpcTransportException">The broker cannot be reached, or refused the credentials or the virtual host.</exception>
    public static Task<RabbitMQClientTransport> CreateAsync(Uri amqpUri, string routingKey, string exchange = "", CancellationToken cancellationToken = default)
        => CreateAsync(RabbitMQConnections.CreateFactory(amqpUri), routingKey, exchange, cancellationToken);

    /// <summary>Connects with <paramref name="factory"/>; the transport owns the connection.</summary>
    /// <exception cref="RpcTransportException">The broker cannot be reached.</exception>
    public static async Task<RabbitMQClientTransport> CreateAsync(ConnectionFactory factory, string routingKey, string exchange = "", CancellationToken cancellationToken = default)
    {
        IConnection connection = await RabbitMQConnections.ConnectAsync(factory, "TinyRpc client " + routingKey, cancellationToken).ConfigureAwait(false);
        try
        {
            return await CreateAsync(connection, ownsConnection: true, routingKey, exchange, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<RabbitMQClientTransport> CreateAsync(IConnection connection, bool ownsConnection, string routingKey, string exchange, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(routingKey);
        ArgumentNullException.ThrowIfNull(exchange);
        IChannel? channel = null;
        try
        {
            channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            var transport = new RabbitMQClientTransport(connection, ownsConnection, channel, routingKey, exchange);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += transport.OnReplyAsync;
            channel.BasicReturnAsync += transport.OnReturnedAsync;
            channel.ChannelShutdownAsync += transport.OnChannelShutdownAsync;
            await channel.BasicConsumeAsync(DirectReplyTo, autoAck: true, consumer, cancellationToken).ConfigureAwait(false);
            return transport;
        }
        catch (Exception e) when (RabbitMQConnections.IsBrokerFailure(e))
        {
            if (channel is not null)
            {
                await channel.DisposeAsync().ConfigureAwait(false);
            }

            throw RabbitMQConnections.Wrap("set up a RabbitMQ client channel", e);
        }
    }

    /// <inheritdoc/>
    /// <exception cref="RpcTransportException">
    /// The message could not be published, no queue took it, the connection to the broker was lost while the call
    /// waited for its reply, or no reply came within <see cref="Timeout"/>.
    /// </exception>
    public async ValueTask<ReadOnlyMemory<byte>> SendMessageAsync(ReadOnlyMemory<byte> message, bool expectReply = true, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        string id = _idPrefix + Interlocked.Increment(ref _nextId).ToString(CultureInfo.InvariantCulture);
        var properties = new BasicProperties { CorrelationId = id };
        if (Activity.Current is { } current)
        {
            // The caller's trace context, as AMQP headers, where the server transport reads it.
            var headers = new Dictionary<string, object?>(3, StringComparer.Ordinal);
            DistributedContextPropagator.Current.Inject(current, headers, static (carrier, name, value) =>
            {
                if (carrier is Dictionary<string, object?> target && value is not null)
                {
                    target[name] = value;
                }
            });
            properties.Headers = headers;
        }

        TaskCompletionSource<byte[]>? reply = null;
        if (expectReply)
        {
            SetDeadline(properties, Timeout);
            properties.ReplyTo = DirectReplyTo;
            reply = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
            _pending[id] = reply;
        }

        try
        {
            await _publishLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await _channel.BasicPublishAsync(Exchange, RoutingKey, mandatory: true, properties, message, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (RabbitMQConnections.IsBrokerFailure(e))
            {
                throw RabbitMQConnections.Wrap($"publish to '{RoutingKey}' on the RabbitMQ exchange '{Exchange}'", e);
            }
            finally
            {
                _publishLock.Release();
            }

            if (reply is null)
            {
                return ReadOnlyMemory<byte>.Empty;
            }

            try
            {
                return await reply.Task.WaitAsync(Timeout, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException e)
            {
                throw new RpcTransportException(
                    $"No reply within {Timeout.TotalSeconds:0.###} s to the message published to '{RoutingKey}' on the RabbitMQ exchange '{Exchange}'.", e);
            }
        }
        finally
        {
            if (reply is not null)
            {
                _pending.TryRemove(id, out _);
            }
        }
    }

    // The caller's deadline travels with the request: the broker drops a request that waits in the queue longer than the
    // call waits for its reply (AMQP per-message TTL, counted from when it was queued), and a TinyRpc server neither starts
    // one whose absolute deadline (the header, Unix milliseconds) has passed nor lets its method run past it.
    private static void SetDeadline(BasicProperties properties, TimeSpan timeout)
    {
        if (timeout == System.Threading.Timeout.InfiniteTimeSpan || timeout <= TimeSpan.Zero || timeout.TotalMilliseconds >= int.MaxValue)
        {
            return;
        }

        // Rounded down, so that the deadline is never later than the moment the call gives up.
        long milliseconds = (long)timeout.TotalMilliseconds;
        properties.Expiration = Math.Max(1, milliseconds).ToString(CultureInfo.InvariantCulture);
        // Beside the trace context's headers, if the request has them.
        IDictionary<string, object?> headers = properties.Headers ??= new Dictionary<string, object?>(1, StringComparer.Ordinal);
        headers[RabbitMQConnections.DeadlineHeader] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + milliseconds;
    }

    /// <summary>Closes the channel (and the connection when the transport opened it); calls waiting for replies fail.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (TaskCompletionSource<byte[]> pending in _pending.Values)
        {
            pending.TrySetException(new ObjectDisposedException(nameof(RabbitMQClientTransport)));
        }

        await _channel.DisposeAsync().ConfigureAwait(false);
        if (_ownsConnection)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private Task OnReplyAsync(object sender, BasicDeliverEventArgs e)
    {
        // The body is only valid during this call; a reply nobody waits for any more (timed out) is dropped.
        // TryRemove hands each call its first reply only; a redelivered request's second reply finds no waiter.
        if (e.BasicProperties.CorrelationId is not { } id || !_pending.TryRemove(id, out TaskCompletionSource<byte[]>? waiter)
            || !waiter.TrySetResult(e.Body.ToArray()))
        {
            Interlocked.Increment(ref _discardedReplies);
        }

        return Task.CompletedTask;
    }

    // Replies come back over direct reply-to, which belongs to the channel: once the channel is gone (the connection
    // to the broker was lost, or the broker closed the channel), a reply to a request published on it can no longer
    // arrive, not even after recovery, whose new channel has a reply-to address of its own.
    private Task OnChannelShutdownAsync(object sender, ShutdownEventArgs e)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return Task.CompletedTask; // DisposeAsync has failed the waiting calls itself.
        }

        string reason = string.IsNullOrEmpty(e.ReplyText) ? e.Initiator.ToString() : $"{e.Initiator}: {e.ReplyCode} {e.ReplyText}";
        foreach (KeyValuePair<string, TaskCompletionSource<byte[]>> pending in _pending)
        {
            pending.Value.TrySetException(new RpcTransportException(
                $"The connection to the RabbitMQ broker was lost ({reason}) while the call waited for its reply to the message published to '{RoutingKey}' on exchange '{Exchange}'; "
                + "the request may or may not have run. The connection recovers by itself, and later calls work once it is back."));
        }

        return Task.CompletedTask;
    }

    private Task OnReturnedAsync(object sender, BasicReturnEventArgs e)
    {
        if (e.BasicProperties.CorrelationId is { } id && _pending.TryGetValue(id, out TaskCompletionSource<byte[]>? waiter))
        {
            waiter.TrySetException(new RpcTransportException(
                $"The RabbitMQ broker could not route the message to '{e.RoutingKey}' on exchange '{e.Exchange}' ({e.ReplyCode} {e.ReplyText}): is a server consuming that queue?"));
        }

        return Task.CompletedTask;
    }
}
