using TinyRpc.Protocols;

namespace TinyRpc.Dispatch;

/// <summary>
/// Calls a method for a request and returns its response (null for a notification). Decoding the
/// arguments, calling and writing the result all happen inside; exceptions are turned into error
/// responses by the dispatcher.
/// </summary>
public delegate ValueTask<RpcResponse?> RpcMethodHandler(RpcRequest request, CancellationToken cancellationToken);
