namespace TinyRpc.Protocols;

/// <summary>
/// Anything a protocol parses from or serializes to a message: a request, a batch of requests,
/// a response or a batch of responses. Match on the concrete type:
/// <code>
/// switch (protocol.ParseRequest(data))
/// {
///     case RpcBatchRequest batch: ...
///     case RpcRequest request: ...
/// }
/// </code>
/// </summary>
public abstract class RpcMessage
{
    /// <summary>The message as bytes for a transport (tinyrpc's <c>serialize</c>).</summary>
    public abstract ReadOnlyMemory<byte> Serialize();

    /// <summary>
    /// True when <see cref="Serialize"/> returns bytes this message wrote into an array of its own, which nothing
    /// writes again: a transport may keep them without a copy (see <c>IOwnedMessageSender</c>). False, the default,
    /// when they may belong to someone else, such as the buffer a message was parsed from.
    /// </summary>
    public virtual bool OwnsSerializedBytes => false;
}
