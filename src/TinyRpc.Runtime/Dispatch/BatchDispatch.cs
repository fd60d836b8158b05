using TinyRpc.Protocols;

namespace TinyRpc.Dispatch;

/// <summary>How any <see cref="IRpcDispatcher"/> answers a batch: its members one by one, in order.</summary>
internal static class BatchDispatch
{
    /// <summary>Dispatches the members of a batch one after another and gathers their responses (tinyrpc's batch dispatch).</summary>
    public static async ValueTask<RpcBatchResponse?> DispatchAsync(IRpcDispatcher dispatcher, RpcBatchRequest batch, CancellationToken cancellationToken)
    {
        var responses = new RpcResponse?[batch.Count];
        for (int i = 0; i < batch.Count; i++)
        {
            RpcBatchItem item = batch[i];
            responses[i] = item.IsValid
                ? await dispatcher.DispatchAsync(item.Request!, cancellationToken).ConfigureAwait(false)
                : batch.ErrorRespond(item.Error!);
        }

        return batch.CreateBatchResponse(responses);
    }
}
