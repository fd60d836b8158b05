using TinyRpc.Server;

namespace TinyRpc.Transports;

/// <summary>A message received by a server transport, with the context that routes its reply.</summary>
/// <param name="Context">Opaque to everyone but the transport: identifies the requester for <see cref="IServerTransport.SendReplyAsync"/>.</param>
/// <param name="Message">The message bytes.</param>
public readonly record struct RpcInboundMessage(object? Context, ReadOnlyMemory<byte> Message)
{
    /// <summary>
    /// Cancelled once the caller of this request has given up on it: its deadline, which came with the request, has
    /// passed. <see cref="RpcServer"/> does not dispatch a request whose token is cancelled when it would start it (the
    /// transport is sent an empty reply, as for a notification), and the <see cref="CancellationToken"/> a running method
    /// gets fires with it. <see cref="CancellationToken.None"/> (the default) when the request carries no deadline.
    /// </summary>
    public CancellationToken RequestAborted { get; init; }
}
