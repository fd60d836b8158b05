namespace TinyRpc.Protocols;

/// <summary>A protocol that supports batches (tinyrpc's <c>RPCBatchProtocol</c>).</summary>
public abstract class RpcBatchProtocol : RpcProtocol
{
    /// <summary>Creates a batch of requests to send in one message (tinyrpc's <c>create_batch_request</c>).</summary>
    public abstract RpcBatchRequest CreateBatchRequest(IEnumerable<RpcRequest> requests);
}
