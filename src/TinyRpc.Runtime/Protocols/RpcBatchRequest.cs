using TinyRpc.Exceptions;

namespace TinyRpc.Protocols;

/// <summary>
/// Several requests in one message (tinyrpc's <c>RPCBatchRequest</c>). Members are handled in any
/// order; responses are gathered in the same order with <see cref="CreateBatchResponse"/>.
/// </summary>
public abstract class RpcBatchRequest : RpcMessage, IReadOnlyList<RpcBatchItem>
{
    /// <summary>The members.</summary>
    protected abstract IReadOnlyList<RpcBatchItem> Items { get; }

    /// <inheritdoc/>
    public RpcBatchItem this[int index] => Items[index];

    /// <inheritdoc/>
    public int Count => Items.Count;

    /// <summary>
    /// Creates the batch response from the members' responses (null entries are notifications and are
    /// left out), or null when no member expects a reply.
    /// </summary>
    public abstract RpcBatchResponse? CreateBatchResponse(IEnumerable<RpcResponse?> responses);

    /// <summary>
    /// Creates the response that answers a member which could not be read as a request (tinyrpc's
    /// <c>error_respond</c> of the member's error, <paramref name="member"/>), in the protocol of this batch.
    /// </summary>
    public abstract RpcErrorResponse ErrorRespond(BadRequestException member);

    /// <inheritdoc/>
    public IEnumerator<RpcBatchItem> GetEnumerator() => Items.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
