using TinyRpc.Exceptions;
using TinyRpc.Protocols;

namespace TinyRpc.Dispatch;

/// <summary>
/// Checks the arguments of a request against a method before the call (tinyrpc's <c>validator</c>).
/// Throws <see cref="InvalidParamsException"/> when they do not fit.
/// </summary>
public delegate void RpcParameterValidator(RpcMethod method, RpcArguments arguments);
