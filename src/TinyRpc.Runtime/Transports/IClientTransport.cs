using TinyRpc.Exceptions;

namespace TinyRpc.Transports;

/// <summary>
/// The client side of a request/reply transport (tinyrpc's <c>ClientTransport</c>): sends a message and, when a
/// reply is expected, returns it. HTTP POST, ZeroMQ REQ, RabbitMQ; any <see cref="IMessageChannel"/> through
/// <see cref="ChannelClientTransport"/>.
/// </summary>
/// <remarks>
/// Concurrency: <see cref="SendMessageAsync"/> may be called from several threads at once; each call gets the reply
/// to its own message. A transport that carries one exchange at a time queues the others.
/// </remarks>
public interface IClientTransport
{
    /// <summary>
    /// Sends <paramref name="message"/> and returns the reply (tinyrpc's <c>send_message</c>); with
    /// <paramref name="expectReply"/> false returns an empty reply without waiting for one.
    /// </summary>
    /// <exception cref="RpcTransportException">The message could not be delivered or the reply not received.</exception>
    ValueTask<ReadOnlyMemory<byte>> SendMessageAsync(ReadOnlyMemory<byte> message, bool expectReply = true, CancellationToken cancellationToken = default);
}
