using TinyRpc.Protocols;

namespace TinyRpc.Dispatch;

/// <summary>
/// Invokes a method for a request in place of the dispatcher's own call (tinyrpc's <c>caller</c>);
/// a place for logging, authorization or metrics around every call.
/// </summary>
public delegate ValueTask<RpcResponse?> RpcMethodCaller(RpcMethod method, RpcRequest request, CancellationToken cancellationToken);
