using TinyRpc.Transports;

namespace TinyRpc.Client;

/// <summary>One call for <see cref="RpcClient.CallAllAsync"/> and <see cref="RpcClient.BatchCallAsync"/> (tinyrpc's <c>RPCCall</c>).</summary>
/// <param name="Method">The public name.</param>
/// <param name="Args">Positional arguments.</param>
/// <param name="Kwargs">Named arguments.</param>
public record RpcCall(string Method, IReadOnlyList<object?>? Args = null, IReadOnlyDictionary<string, object?>? Kwargs = null);

/// <summary>A call sent over its own transport (tinyrpc's <c>RPCCallTo</c>).</summary>
/// <param name="Transport">The transport for this call.</param>
/// <param name="Method">The public name.</param>
/// <param name="Args">Positional arguments.</param>
/// <param name="Kwargs">Named arguments.</param>
public sealed record RpcCallTo(IClientTransport Transport, string Method, IReadOnlyList<object?>? Args = null, IReadOnlyDictionary<string, object?>? Kwargs = null)
    : RpcCall(Method, Args, Kwargs);
