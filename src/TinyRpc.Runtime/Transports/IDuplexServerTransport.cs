using TinyRpc.Client;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Server;

namespace TinyRpc.Transports;

/// <summary>
/// A server transport whose clients stay connected (TCP, named pipes, WebSocket, in memory), so that the server can
/// send them messages of its own, requests and notifications, besides replies. <see cref="RpcServer"/> over such a
/// transport gives each client an <see cref="RpcConnection"/>: <see cref="RpcConnection.Of(RpcRequest)"/> inside a method,
/// <see cref="RpcServer.Connections"/> for all of them.
/// </summary>
/// <remarks>Concurrency: every member may be called from any thread at any time, also while messages are received and replies sent.</remarks>
public interface IDuplexServerTransport
{
    /// <summary>The contexts of the clients connected now: those <see cref="IServerTransport.ReceiveMessageAsync"/> gives with their messages.</summary>
    IReadOnlyList<object> Peers { get; }

    /// <summary>Sends <paramref name="message"/> to the client of <paramref name="context"/>. Not a reply: it answers nothing.</summary>
    /// <exception cref="RpcTransportException">The client is gone.</exception>
    ValueTask SendToPeerAsync(object context, ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default);

    /// <summary>A token cancelled once the client of <paramref name="context"/> is gone (at once, if it is gone already).</summary>
    CancellationToken GetPeerClosed(object context);
}
