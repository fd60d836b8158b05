namespace TinyRpc.Transports;

/// <summary>A message received by a server transport, with the context that routes its reply.</summary>
/// <param name="Context">Opaque to everyone but the transport: identifies the requester for <see cref="IServerTransport.SendReplyAsync"/>.</param>
/// <param name="Message">The message bytes.</param>
public readonly record struct RpcInboundMessage(object? Context, ReadOnlyMemory<byte> Message);

/// <summary>
/// The server side of a transport (tinyrpc's <c>ServerTransport</c>): receives messages and sends replies.
/// Knows nothing of protocols.
/// </summary>
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

/// <summary>
/// A server transport that cannot send a reply larger than a limit, such as the largest frame of a stream
/// transport. <see cref="RpcServer"/> never hands it a reply over <see cref="MaxReplySize"/>: it sends the
/// protocol's error reply (code -32603, a message saying the reply is too large) for the same request instead,
/// so that the caller gets an answer.
/// </summary>
public interface IReplySizeLimit
{
    /// <summary>The largest reply, in bytes, the transport can send.</summary>
    int MaxReplySize { get; }
}

/// <summary>
/// The client side of a transport (tinyrpc's <c>ClientTransport</c>): sends a message and, when a reply is
/// expected, returns it.
/// </summary>
public interface IClientTransport
{
    /// <summary>
    /// Sends <paramref name="message"/> and returns the reply (tinyrpc's <c>send_message</c>); with
    /// <paramref name="expectReply"/> false returns an empty reply without waiting for one.
    /// </summary>
    /// <exception cref="RpcTransportException">The message could not be delivered or the reply not received.</exception>
    ValueTask<ReadOnlyMemory<byte>> SendMessageAsync(ReadOnlyMemory<byte> message, bool expectReply = true, CancellationToken cancellationToken = default);
}

/// <summary>
/// A full-duplex client transport: messages go out and come in independently, so that an
/// <see cref="RpcClient"/> can keep many calls outstanding and match replies by id.
/// </summary>
public interface IDuplexClientTransport : IClientTransport
{
    /// <summary>Sends one message. Safe to call from several threads at once.</summary>
    ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default);

    /// <summary>Waits for the next incoming message; null when the connection has closed. Called by one reader at a time.</summary>
    ValueTask<ReadOnlyMemory<byte>?> ReceiveAsync(CancellationToken cancellationToken = default);
}

/// <summary>
/// A transport failed: the peer is unreachable, the connection dropped, or the peer answered with a transport-level
/// error. A failure on this side of the exchange, not an error the server sent: its <see cref="RpcException.Code"/>
/// is <see cref="RpcErrorCodes.TransportError"/>, never one of the codes JSON-RPC reserves.
/// </summary>
public class RpcTransportException : RpcException
{
    /// <summary>Creates the error.</summary>
    public RpcTransportException(string message, Exception? innerException = null)
        : base(RpcErrorCodes.TransportError, message, null, innerException)
    {
    }

    /// <summary>The HTTP status the server answered with, for HTTP transports.</summary>
    public System.Net.HttpStatusCode? StatusCode { get; init; }
}
