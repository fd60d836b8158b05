using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using TinyRpc.Exceptions;

namespace TinyRpc.Transports;

/// <summary>Connections the RabbitMQ transports open for themselves.</summary>
internal static class RabbitMQConnections
{
    /// <summary>The header of a request that carries its caller's deadline: Unix milliseconds (UTC), an AMQP long.</summary>
    public const string DeadlineHeader = "x-tinyrpc-deadline";

    /// <summary>
    /// A factory for <paramref name="hostName"/> that recovers connection, channels, queues and consumers. A host
    /// name written as an AMQP URI (<c>amqp://</c> or <c>amqps://</c>) is read as one, and its port wins.
    /// </summary>
    public static ConnectionFactory CreateFactory(string hostName, int port)
    {
        ArgumentNullException.ThrowIfNull(hostName);
        if (hostName.StartsWith("amqp://", StringComparison.OrdinalIgnoreCase) || hostName.StartsWith("amqps://", StringComparison.OrdinalIgnoreCase))
        {
            return CreateFactory(new Uri(hostName));
        }

        ConnectionFactory factory = CreateFactory();
        factory.HostName = hostName;
        factory.Port = port;
        return factory;
    }

    /// <summary>
    /// A factory for an AMQP URI, <c>amqp://user:password@host:port/vhost</c> (<c>amqps://</c> for TLS), with the
    /// same recovery settings. As the URI specification says, its path is the virtual host, not a queue.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="amqpUri"/> is not an AMQP URI.</exception>
    public static ConnectionFactory CreateFactory(Uri amqpUri)
    {
        ArgumentNullException.ThrowIfNull(amqpUri);
        ConnectionFactory factory = CreateFactory();
        try
        {
            factory.Uri = amqpUri;
        }
        catch (Exception e) when (e is ArgumentException or UriFormatException or FormatException)
        {
            throw new ArgumentException($"'{amqpUri}' is not an AMQP URI (amqp://user:password@host:port/vhost): {e.Message}", nameof(amqpUri), e);
        }

        return factory;
    }

    private static ConnectionFactory CreateFactory() => new()
    {
        AutomaticRecoveryEnabled = true,
        TopologyRecoveryEnabled = true,
        NetworkRecoveryInterval = TimeSpan.FromSeconds(1),
        RequestedConnectionTimeout = TimeSpan.FromSeconds(10),
    };

    /// <summary>Where <paramref name="factory"/> connects, for messages: host, port and a virtual host other than <c>/</c>; never the password.</summary>
    public static string Describe(ConnectionFactory factory)
        => factory.VirtualHost is "/" or ""
            ? $"{factory.HostName}:{factory.Port}"
            : $"{factory.HostName}:{factory.Port}, virtual host '{factory.VirtualHost}'";

    /// <exception cref="RpcTransportException">The broker cannot be reached or refused the connection.</exception>
    public static async Task<IConnection> ConnectAsync(ConnectionFactory factory, string clientName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(factory);
        try
        {
            return await factory.CreateConnectionAsync(clientName, cancellationToken).ConfigureAwait(false);
        }
        catch (BrokerUnreachableException e)
        {
            throw new RpcTransportException(
                $"Cannot connect to the RabbitMQ broker at {Describe(factory)}: {e.InnerException?.Message ?? e.Message}", e);
        }
    }

    /// <summary>Turns the client library's failures into transport errors with a clear message.</summary>
    public static RpcTransportException Wrap(string doing, Exception e) => e switch
    {
        AlreadyClosedException => new RpcTransportException($"Cannot {doing}: the RabbitMQ connection or channel is closed ({e.Message}).", e),
        OperationInterruptedException => new RpcTransportException($"Cannot {doing}: the RabbitMQ operation was interrupted ({e.Message}).", e),
        _ => new RpcTransportException($"Cannot {doing}: {e.Message}", e),
    };

    /// <summary>The deadline a request carries; null when it has none, or one that is not an integer.</summary>
    public static DateTimeOffset? DeadlineOf(IReadOnlyBasicProperties properties)
        => properties.Headers is { } headers && headers.TryGetValue(DeadlineHeader, out object? value)
            ? value switch { long l => FromUnixMilliseconds(l), int i => FromUnixMilliseconds(i), _ => null }
            : null;

    // Any long is accepted: one beyond the calendar is taken as its first or last moment, never as an error.
    private static DateTimeOffset FromUnixMilliseconds(long milliseconds)
        => DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(
            milliseconds, DateTimeOffset.MinValue.ToUnixTimeMilliseconds(), DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()));

    public static bool IsBrokerFailure(Exception e)
        => e is RabbitMQClientException or AlreadyClosedException or OperationInterruptedException or System.IO.IOException;
}
