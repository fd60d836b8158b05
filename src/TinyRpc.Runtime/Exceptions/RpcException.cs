namespace TinyRpc.Exceptions;

/// <summary>
/// The base of every TinyRpc error (tinyrpc's <c>RPCError</c>). An error carries the numeric
/// <see cref="Code"/>, the <see cref="Exception.Message"/> and optional <see cref="ErrorData"/>
/// that travel to the client in an error response.
/// </summary>
/// <remarks>
/// <para>
/// Declare an application error with a fixed code and message (tinyrpc's <c>FixedErrorMessageMixin</c>)
/// by deriving and passing them to the base constructor:
/// <code>
/// public sealed class PalindromeException(string? data = null)
///     : RpcException(99, "Ah, that's cheating", data);
/// </code>
/// </para>
/// <para>
/// Thrown from a called method, the code, message and data are sent to the client as they are.
/// An <see cref="RpcException"/> created with only a message and data uses
/// <see cref="RpcErrorCodes.ServerError"/> (-32000), as tinyrpc does for
/// <c>Exception('message', data)</c>.
/// </para>
/// </remarks>
public class RpcException : Exception
{
    private readonly int? _code;

    /// <summary>Creates an error with code -32000 and a generic message.</summary>
    public RpcException()
        : this("RPC error")
    {
    }

    /// <summary>Creates an error with code -32000 and the given message.</summary>
    public RpcException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an error with code -32000, the given message and an inner exception.</summary>
    public RpcException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an error with code -32000, the given message and data for the client.</summary>
    public RpcException(string message, object? data)
        : base(message)
    {
        ErrorData = data;
    }

    /// <summary>Creates an error with a fixed code, message and optional data for the client.</summary>
    public RpcException(int code, string message, object? data = null)
        : base(message)
    {
        _code = code;
        ErrorData = data;
    }

    /// <summary>Creates an error with a fixed code, message, data and inner exception.</summary>
    public RpcException(int code, string message, object? data, Exception? innerException)
        : base(message, innerException)
    {
        _code = code;
        ErrorData = data;
    }

    /// <summary>The numeric error code sent to the client.</summary>
    public int Code => _code ?? DefaultCode;

    /// <summary>The code used when none was given to the constructor.</summary>
    protected virtual int DefaultCode => RpcErrorCodes.ServerError;

    /// <summary>
    /// The optional <c>data</c> member of the error. On the server it is any value the protocol can
    /// serialize; on the client it holds the wire value, readable with <see cref="GetData{T}"/>.
    /// </summary>
    public object? ErrorData { get; }

    /// <summary>True when the error carries a <c>data</c> member.</summary>
    public virtual bool HasData => ErrorData is not null;

    /// <summary>
    /// Returns the data converted to <typeparamref name="T"/>. Errors reconstructed on the client
    /// decode the wire form; errors created locally return <see cref="ErrorData"/> when it is a <typeparamref name="T"/>.
    /// </summary>
    /// <exception cref="InvalidCastException">The data is not a <typeparamref name="T"/>.</exception>
    public virtual T? GetData<T>() => ErrorData switch
    {
        null => default,
        T t => t,
        _ => throw new InvalidCastException($"The error data is a {ErrorData.GetType().Name}, not a {typeof(T).Name}."),
    };
}
