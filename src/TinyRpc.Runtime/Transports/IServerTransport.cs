using TinyRpc.Server;

namespace TinyRpc.Transports;

/// <summary>
/// The server side of a transport (tinyrpc's <c>ServerTransport</c>): receives messages and sends replies.
/// Knows nothing of protocols.
/// </summary>
/// <remarks>
/// Concurrency: one caller at a time receives (<see cref="RpcServer"/> runs one receive loop). Replies may be sent
/// from several threads at once, to the same context or to different ones, and while a receive is waiting; the
/// transport keeps each reply whole.
/// </remarks>
public interface IServerTransport
{
    /// <summary>
    /// Waits for the next message (tinyrpc's <c>receive_message</c>). Returns null when the transport
    /// has ended and no message will come again.
    /// </summary>
    ValueTask<RpcInboundMessage?> ReceiveMessageAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends the reply to the message received with <paramref name="context"/> (tinyrpc's <c>send_reply</c>).
    /// An empty <paramref name="reply"/> means there is nothing to answer (a notification): the transport
    /// completes the exchange in its own way (HTTP 204, an empty ZeroMQ frame, nothing on a stream).
    /// </summary>
    ValueTask SendReplyAsync(object? context, ReadOnlyMemory<byte> reply, CancellationToken cancellationToken = default);
}
