using TinyRpc.Exceptions;

namespace TinyRpc.Protocols.JsonRpc;

/// <summary>A batch of JSON-RPC requests (tinyrpc's <c>JSONRPCBatchRequest</c>).</summary>
public sealed class JsonRpcBatchRequest : RpcBatchRequest
{
    private readonly JsonRpcProtocol _protocol;
    private readonly List<RpcBatchItem> _items;

    internal JsonRpcBatchRequest(JsonRpcProtocol protocol, List<RpcBatchItem> items)
    {
        _protocol = protocol;
        _items = items;
    }

    /// <inheritdoc/>
    protected override IReadOnlyList<RpcBatchItem> Items => _items;

    /// <inheritdoc/>
    public override RpcBatchResponse? CreateBatchResponse(IEnumerable<RpcResponse?> responses)
    {
        ArgumentNullException.ThrowIfNull(responses);
        var list = new List<RpcResponse>();
        foreach (RpcResponse? response in responses)
        {
            if (response is not null)
            {
                list.Add(response);
            }
        }

        return list.Count == 0 ? null : new JsonRpcBatchResponse(list);
    }

    /// <inheritdoc/>
    public override RpcErrorResponse ErrorRespond(BadRequestException member) => _protocol.ErrorRespond(member);

    /// <inheritdoc/>
    /// <remarks>Invalid members of a parsed batch are left out: only requests can be serialized.</remarks>
    public override ReadOnlyMemory<byte> Serialize()
        => JsonRpcBatchResponse.Join(_items.Where(static i => i.IsValid).Select(static i => i.Request!.Serialize()));

    /// <inheritdoc/>
    /// <remarks>True: every <see cref="Serialize"/> joins the members into a new array.</remarks>
    public override bool OwnsSerializedBytes => true;

    internal JsonRpcProtocol Protocol => _protocol;
}
