using TinyRpc.Client;
using TinyRpc.Exceptions;

namespace TinyRpc.Transports;

/// <summary>
/// A full-duplex message channel to one peer: messages go out and come in independently, whole, in the order each
/// side sent them. A TCP connection, a named pipe, a WebSocket, a ZeroMQ DEALER socket, an in-memory pair. An
/// <see cref="RpcClient"/> over a channel keeps many calls outstanding and matches replies by id; for one exchange at
/// a time, <see cref="ChannelClientTransport"/> turns a channel into an <see cref="IClientTransport"/>.
/// </summary>
/// <remarks>
/// Concurrency: <see cref="SendAsync"/> may be called from several threads at once, and the channel keeps each message
/// whole; one reader at a time calls <see cref="ReceiveAsync"/>, while sends go on. Cancelling a send may close the
/// channel (a message cut in half cannot be taken back), so callers that share a channel do not cancel sends.
/// </remarks>
public interface IMessageChannel
{
    /// <summary>Sends one message.</summary>
    /// <exception cref="RpcTransportException">The channel failed or is closed.</exception>
    ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default);

    /// <summary>Waits for the next incoming message; null when the channel has closed and no message will come again.</summary>
    /// <exception cref="RpcTransportException">The channel failed.</exception>
    ValueTask<ReadOnlyMemory<byte>?> ReceiveAsync(CancellationToken cancellationToken = default);
}
