using TinyRpc.Client;
using TinyRpc.Protocols;
using TinyRpc.Server;

namespace TinyRpc.Transports;

// Optional capabilities of transports. The client and the server look for them with a type test of the interface,
// never of a concrete transport, so that any transport (a third party's too) gets the same fast paths.

/// <summary>
/// A server transport that cannot send a reply larger than a limit, such as the largest frame of a stream
/// transport. <see cref="RpcServer"/> never hands it a reply over <see cref="MaxReplySize"/>: it sends the
/// protocol's error reply (code -32603, a message saying the reply is too large) for the same request instead,
/// so that the caller gets an answer. A channel (<see cref="IMessageChannel"/>) may say the same of its messages: an
/// <see cref="Client.RpcConnection"/> over it answers the other side's calls the same way.
/// </summary>
public interface IReplySizeLimit
{
    /// <summary>The largest reply, in bytes, the transport can send.</summary>
    int MaxReplySize { get; }
}

/// <summary>
/// A channel that can keep the bytes it is given instead of copying them. Called only with bytes that nobody writes
/// again (see <see cref="RpcMessage.OwnsSerializedBytes"/>); the channel may hand them to its peer as they are.
/// </summary>
public interface IOwnedMessageSender
{
    /// <summary>Sends <paramref name="message"/>, whose bytes now belong to the channel. Same contract as <see cref="IMessageChannel.SendAsync"/>.</summary>
    ValueTask SendOwnedAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default);
}

// A channel that can take a message to write together with the ones that follow it, instead of writing it at once:
// RpcClient sends this way while other calls of it are outstanding, so that calls made in a burst go out in a few
// writes instead of one each; a call made alone is sent with SendAsync. Internal, unlike the capabilities above: a
// sender that does not wait for its write must hear of a failed one some other way, and that contract (OnWriteFailed)
// is easy to get wrong.
internal interface IBatchingMessageSender
{
    // Takes the message (copied before this returns) to write soon, with the messages taken around the same time,
    // and returns without waiting for the write and without writing on the caller's thread. Throws
    // RpcFramingException for a message too large or that cannot be framed, RpcTransportException once a write failed.
    void SendSoon(ReadOnlyMemory<byte> message);

    // Registers the one handler called, once, when a write on the channel fails; the channel writes nothing after it.
    void OnWriteFailed(Action<Exception> handler);
}

/// <summary>A server transport that can keep reply bytes instead of copying them; see <see cref="IOwnedMessageSender"/>.</summary>
public interface IOwnedReplySender
{
    /// <summary>Sends <paramref name="reply"/>, whose bytes now belong to the transport. Same contract as <see cref="IServerTransport.SendReplyAsync"/>.</summary>
    ValueTask SendOwnedReplyAsync(object? context, ReadOnlyMemory<byte> reply, CancellationToken cancellationToken = default);
}

/// <summary>
/// A channel whose reader may be resumed on the thread that delivers the message, instead of on a pool thread: for
/// a reader that only hands each message on and never blocks (the receive loops of <see cref="RpcClient"/>).
/// </summary>
public interface IInlineMessageReceiver
{
    /// <summary>Like <see cref="IMessageChannel.ReceiveAsync"/>, but a waiting reader is resumed inline.</summary>
    ValueTask<ReadOnlyMemory<byte>?> ReceiveInlineAsync(CancellationToken cancellationToken = default);
}

/// <summary>
/// A server transport whose receive may complete on the thread that delivers the message: for a receive loop that
/// only hands each message on and never blocks (<see cref="RpcServer.ServeForeverAsync"/>).
/// </summary>
public interface IInlineServerReceiver
{
    /// <summary>Like <see cref="IServerTransport.ReceiveMessageAsync"/>, but a waiting receive is resumed inline.</summary>
    ValueTask<RpcInboundMessage?> ReceiveMessageInlineAsync(CancellationToken cancellationToken = default);
}
