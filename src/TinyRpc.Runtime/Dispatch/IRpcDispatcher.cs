using TinyRpc.Protocols;
using TinyRpc.Server;

namespace TinyRpc.Dispatch;

/// <summary>
/// Turns one request into its response: the seam between the protocol and the methods, which tinyrpc lets a user
/// replace. <see cref="RpcDispatcher"/> is the usual one; <see cref="RpcResponder"/>, <see cref="RpcServer"/> and the
/// ASP.NET Core endpoints take any.
/// </summary>
/// <remarks>
/// Contract: <see cref="DispatchAsync"/> never throws (a failure is an error response for the request), returns null
/// exactly when the request is a notification, and may be called from several threads at once. Batches are taken
/// apart by the caller, which dispatches their members one by one.
/// </remarks>
public interface IRpcDispatcher
{
    /// <summary>Handles one request and returns its response, or null for a notification. Never throws.</summary>
    ValueTask<RpcResponse?> DispatchAsync(RpcRequest request, CancellationToken cancellationToken = default);
}
