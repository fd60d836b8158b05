namespace TinyRpc.Protocols;

/// <summary>The responses to a batch (tinyrpc's <c>RPCBatchResponse</c>), in request order.</summary>
public abstract class RpcBatchResponse : RpcMessage, IReadOnlyList<RpcResponse>
{
    /// <summary>The responses.</summary>
    protected abstract IReadOnlyList<RpcResponse> Items { get; }

    /// <inheritdoc/>
    public RpcResponse this[int index] => Items[index];

    /// <inheritdoc/>
    public int Count => Items.Count;

    /// <inheritdoc/>
    public IEnumerator<RpcResponse> GetEnumerator() => Items.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
