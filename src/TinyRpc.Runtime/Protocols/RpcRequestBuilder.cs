using TinyRpc.Exceptions;

namespace TinyRpc.Protocols;

/// <summary>
/// Writes the parameters of an outgoing request without boxing them, then builds the request.
/// Positional (<see cref="Add{T}(T)"/>) and named (<see cref="Add{T}(string, T)"/>) parameters cannot be mixed.
/// </summary>
public abstract class RpcRequestBuilder
{
    /// <summary>Appends a positional parameter.</summary>
    /// <exception cref="InvalidRequestException">Named parameters were already added.</exception>
    public abstract RpcRequestBuilder Add<T>(T value);

    /// <summary>Appends a named parameter.</summary>
    /// <exception cref="InvalidRequestException">Positional parameters were already added, or the protocol has no named parameters.</exception>
    public abstract RpcRequestBuilder Add<T>(string name, T value);

    /// <summary>Finishes the request. The builder cannot be used afterwards.</summary>
    public abstract RpcRequest Build();
}
