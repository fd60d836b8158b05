using TinyRpc.Exceptions;

namespace TinyRpc.Protocols;

/// <summary>An error response (tinyrpc's <c>RPCErrorResponse</c>).</summary>
public abstract class RpcErrorResponse : RpcResponse
{
    /// <inheritdoc/>
    public override bool IsError => true;

    /// <summary>The numeric error code.</summary>
    public abstract int Code { get; }

    /// <summary>The error message.</summary>
    public abstract string Message { get; }

    /// <summary>True when the error carries data.</summary>
    public abstract bool HasData { get; }

    /// <summary>Decodes the error data as <typeparamref name="T"/>; default when there is none.</summary>
    public abstract T? GetData<T>();

    /// <summary>An error response has no result; this throws the error as an exception.</summary>
    public override T GetResult<T>() => throw ToException();

    /// <summary>Reconstructs the server-side error as an exception (not thrown).</summary>
    public abstract RpcException ToException();
}
