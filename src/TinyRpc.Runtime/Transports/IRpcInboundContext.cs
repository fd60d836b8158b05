using System.Net;
using TinyRpc.Server;

namespace TinyRpc.Transports;

/// <summary>
/// The context of a received message (<see cref="RpcInboundMessage.Context"/>) when it can tell where the message came
/// from and whether its requester is still there. A server transport hands such contexts out where it knows;
/// <see cref="RpcCallContext"/> and <see cref="RpcServer"/> read them. Optional: a context that is not one is opaque.
/// </summary>
public interface IRpcInboundContext
{
    /// <summary>The address of the peer that sent the message (its IP address and port over TCP and HTTP); null when
    /// the transport does not know it.</summary>
    EndPoint? RemoteEndPoint { get; }

    /// <summary>
    /// Cancelled when the requester has gone and the reply has nowhere to go (an HTTP request whose client aborted). A
    /// request/reply transport's <see cref="RpcServer"/> cancels the token of the method running for the message then.
    /// <see cref="CancellationToken.None"/> when the transport cannot tell, and on transports that keep their clients
    /// connected, whose clients' ends <see cref="IDuplexServerTransport.GetPeerClosed"/> reports instead.
    /// </summary>
    CancellationToken RequesterGone { get; }
}
