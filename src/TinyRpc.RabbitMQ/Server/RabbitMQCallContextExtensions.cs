using RabbitMQ.Client;
using TinyRpc.Transports;

namespace TinyRpc.Server;

/// <summary>What an <see cref="RpcCallContext"/> knows of a call that came over RabbitMQ.</summary>
public static class RabbitMQCallContextExtensions
{
    /// <summary>
    /// The AMQP properties of the message the call came in (headers, correlation id, reply queue, message id, user id)
    /// when it came through a <see cref="RabbitMQServerTransport"/>; null for a call that came another way.
    /// </summary>
    public static IReadOnlyBasicProperties? GetBasicProperties(this RpcCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return RabbitMQServerTransport.PropertiesOf(context.TransportContext);
    }
}
