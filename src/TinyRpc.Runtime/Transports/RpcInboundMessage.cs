namespace TinyRpc.Transports;

/// <summary>A message received by a server transport, with the context that routes its reply.</summary>
/// <param name="Context">Opaque to everyone but the transport: identifies the requester for <see cref="IServerTransport.SendReplyAsync"/>.</param>
/// <param name="Message">The message bytes.</param>
public readonly record struct RpcInboundMessage(object? Context, ReadOnlyMemory<byte> Message);
