namespace TinyRpc.Dispatch;

/// <summary>What <see cref="RpcResponder"/> answers to a message.</summary>
/// <param name="Message">The reply to send; empty when nothing is to be sent (notifications).</param>
/// <param name="IsOwned">
/// True when <paramref name="Message"/> is an array of its own that nothing writes again, so a transport may keep it
/// without a copy (see <see cref="Transports.IOwnedReplySender"/>).
/// </param>
public readonly record struct RpcReply(ReadOnlyMemory<byte> Message, bool IsOwned);
