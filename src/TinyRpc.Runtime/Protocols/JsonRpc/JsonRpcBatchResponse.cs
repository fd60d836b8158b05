namespace TinyRpc.Protocols.JsonRpc;

/// <summary>The responses to a JSON-RPC batch (tinyrpc's <c>JSONRPCBatchResponse</c>).</summary>
public sealed class JsonRpcBatchResponse : RpcBatchResponse
{
    private readonly List<RpcResponse> _items;

    internal JsonRpcBatchResponse(List<RpcResponse> items)
    {
        _items = items;
    }

    /// <inheritdoc/>
    protected override IReadOnlyList<RpcResponse> Items => _items;

    /// <inheritdoc/>
    public override ReadOnlyMemory<byte> Serialize() => Join(_items.Select(static r => r.Serialize()));

    /// <inheritdoc/>
    /// <remarks>True: every <see cref="Serialize"/> joins the responses into a new array.</remarks>
    public override bool OwnsSerializedBytes => true;

    internal static byte[] Join(IEnumerable<ReadOnlyMemory<byte>> parts)
    {
        List<ReadOnlyMemory<byte>> list = parts.ToList();
        int length = 2 + Math.Max(0, list.Count - 1) + list.Sum(static p => p.Length);
        byte[] result = new byte[length];
        int at = 0;
        result[at++] = (byte)'[';
        for (int i = 0; i < list.Count; i++)
        {
            if (i > 0)
            {
                result[at++] = (byte)',';
            }

            list[i].Span.CopyTo(result.AsSpan(at));
            at += list[i].Length;
        }

        result[at] = (byte)']';
        return result;
    }
}
