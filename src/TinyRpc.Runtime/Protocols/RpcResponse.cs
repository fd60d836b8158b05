using TinyRpc.Exceptions;

namespace TinyRpc.Protocols;

/// <summary>A response (tinyrpc's <c>RPCResponse</c>): a result, or an error when it is an <see cref="RpcErrorResponse"/>.</summary>
public abstract class RpcResponse : RpcMessage
{
    /// <summary>The id of the request this answers.</summary>
    public abstract RpcId Id { get; }

    /// <summary>True for an <see cref="RpcErrorResponse"/>.</summary>
    public virtual bool IsError => false;

    /// <summary>Decodes the result as <typeparamref name="T"/>.</summary>
    /// <exception cref="InvalidReplyException">The result cannot be read as <typeparamref name="T"/>.</exception>
    public abstract T GetResult<T>();
}
