using TinyRpc.Server;

namespace TinyRpc.Transports;

/// <summary>A message received by a server transport, with the context that routes its reply.</summary>
/// <param name="Context">Opaque to everyone but the transport: identifies the requester for <see cref="IServerTransport.SendReplyAsync"/>.</param>
/// <param name="Message">The message bytes.</param>
public readonly record struct RpcInboundMessage(object? Context, ReadOnlyMemory<byte> Message)
{
    /// <summary>
    /// When the caller of this request gives up on it, if the request said so; null (the default) when it carries no
    /// deadline. <see cref="RpcServer"/> does not dispatch a request whose deadline has passed when it would start it
    /// (the transport is sent an empty reply, as for a notification), fires the <see cref="CancellationToken"/> of a
    /// running method at the deadline, and does not answer a method that ends after it (an empty reply again).
    /// </summary>
    public DateTimeOffset? Deadline { get; init; }
}
