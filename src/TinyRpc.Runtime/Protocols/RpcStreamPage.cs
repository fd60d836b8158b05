namespace TinyRpc.Protocols;

/// <summary>
/// The wire shape of a stream of values (an <see cref="IAsyncEnumerable{T}"/> returned by a method), as StreamJsonRpc
/// writes it: the result of the call that returns the stream (<c>{"token": N, "values": [...]}</c>) and the result of
/// each <c>$/enumerator/next</c> (<c>{"values": [...], "finished": bool}</c>); a MSGPACK-RPC map with the same keys.
/// A protocol writes and reads it when it is the type of a result (<see cref="RpcRequest.Respond{T}(T)"/>,
/// <see cref="RpcResponse.GetResult{T}"/>). See docs/streaming.md.
/// </summary>
public sealed class RpcStreamPage
{
    /// <summary>The token that names the stream in <c>$/enumerator/next</c> and <c>$/enumerator/abort</c>; null (not written) when no more values will be asked for.</summary>
    public long? Token { get; init; }

    /// <summary>The values, each already encoded by the protocol (<see cref="RpcProtocol.EncodeValue{T}(T)"/>); null when the member is absent.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>>? Values { get; init; }

    /// <summary>True when the stream has ended; null when the member is absent (which means false).</summary>
    public bool? Finished { get; init; }
}
