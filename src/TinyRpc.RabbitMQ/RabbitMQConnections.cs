using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace TinyRpc.Transports;

/// <summary>Connections the RabbitMQ transports open for themselves.</summary>
internal static class RabbitMQConnections
{
    /// <summary>A factory for <paramref name="hostName"/> that recovers connection, channels, queues and consumers.</summary>
    public static ConnectionFactory CreateFactory(string hostName, int port) => new()
    {
        HostName = hostName,
        Port = port,
        AutomaticRecoveryEnabled = true,
        TopologyRecoveryEnabled = true,
        NetworkRecoveryInterval = TimeSpan.FromSeconds(1),
        RequestedConnectionTimeout = TimeSpan.FromSeconds(10),
    };

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
                $"Cannot connect to the RabbitMQ broker at {factory.HostName}:{factory.Port}: {e.InnerException?.Message ?? e.Message}", e);
        }
    }

    /// <summary>Turns the client library's failures into transport errors with a clear message.</summary>
    public static RpcTransportException Wrap(string doing, Exception e) => e switch
    {
        AlreadyClosedException => new RpcTransportException($"Cannot {doing}: the RabbitMQ connection or channel is closed ({e.Message}).", e),
        OperationInterruptedException => new RpcTransportException($"Cannot {doing}: the RabbitMQ operation was interrupted ({e.Message}).", e),
        _ => new RpcTransportException($"Cannot {doing}: {e.Message}", e),
    };

    public static bool IsBrokerFailure(Exception e)
        => e is RabbitMQClientException or AlreadyClosedException or OperationInterruptedException or System.IO.IOException;
}
