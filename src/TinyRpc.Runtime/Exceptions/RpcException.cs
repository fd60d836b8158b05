namespace TinyRpc;

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

/// <summary>
/// A request could not be turned into a request object (tinyrpc's <c>BadRequestError</c>).
/// The error still answers the client: <see cref="ErrorRespond"/> makes the protocol's error response.
/// </summary>
public abstract class BadRequestException : RpcException
{
    /// <summary>Creates the error with a code and message.</summary>
    protected BadRequestException(int code, string message, object? data = null, Exception? innerException = null)
        : base(code, message, data, innerException)
    {
    }

    /// <summary>The id of the request when it could be read before the error was found, else <see cref="RpcId.None"/>.</summary>
    public RpcId RequestId { get; init; }

    /// <summary>Creates the error response to send to the client (tinyrpc's <c>error_respond</c>).</summary>
    public abstract RpcErrorResponse ErrorRespond();
}

/// <summary>A request violated the protocol specification and could not be parsed (tinyrpc's <c>InvalidRequestError</c>).</summary>
public abstract class InvalidRequestException : BadRequestException
{
    /// <summary>Creates the error with a code and message.</summary>
    protected InvalidRequestException(int code, string message, object? data = null, Exception? innerException = null)
        : base(code, message, data, innerException)
    {
    }
}

/// <summary>
/// A reply could not be turned into a response object (tinyrpc's <c>BadReplyError</c>). A failure on the
/// receiving side, not an error the server sent: its <see cref="RpcException.Code"/> is
/// <see cref="RpcErrorCodes.BadReply"/>, never the server's <see cref="RpcErrorCodes.ParseError"/>.
/// </summary>
public class BadReplyException : RpcException
{
    /// <summary>Creates the error with a message.</summary>
    public BadReplyException(string message, Exception? innerException = null)
        : base(RpcErrorCodes.BadReply, message, null, innerException)
    {
    }
}

/// <summary>A reply violated the protocol specification (tinyrpc's <c>InvalidReplyError</c>).</summary>
public class InvalidReplyException : BadReplyException
{
    /// <summary>Creates the error with a message.</summary>
    public InvalidReplyException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// A reply carries an id that matches no call it could answer (tinyrpc's <c>UnexpectedIDError</c>): over a
/// transport that carries one exchange at a time (HTTP, ZeroMQ REQ), the reply's id differs from the request's.
/// </summary>
public class UnexpectedIdException : InvalidReplyException
{
    /// <summary>
    /// Creates the error for a reply with <paramref name="replyId"/> to a request with <paramref name="requestId"/>
    /// (<see cref="RpcId.None"/> for a batch, whose requests have several).
    /// </summary>
    public UnexpectedIdException(RpcId requestId, RpcId replyId)
        : base(requestId.IsNone
            ? $"The reply's id {replyId} matches none of the requests sent."
            : $"The reply's id {replyId} does not match the request's id {requestId}.")
    {
        RequestId = requestId;
        ReplyId = replyId;
    }

    /// <summary>The id of the request that was sent; <see cref="RpcId.None"/> for a batch.</summary>
    public RpcId RequestId { get; }

    /// <summary>The id the reply carried.</summary>
    public RpcId ReplyId { get; }
}

/// <summary>The requested method is not public on the server (tinyrpc's <c>MethodNotFoundError</c>).</summary>
public class MethodNotFoundException : RpcException
{
    /// <summary>Creates the error for a method name.</summary>
    public MethodNotFoundException(string method)
        : base(RpcErrorCodes.MethodNotFound, "Method not found")
    {
        MethodName = method;
    }

    /// <summary>The name that was not found.</summary>
    public string MethodName { get; }
}

/// <summary>
/// The parameters do not fit the method (tinyrpc's <c>InvalidParamsError</c>): wrong count, unknown or
/// missing names, or a value of the wrong type. The message names the parameter and the problem.
/// </summary>
public class InvalidParamsException : RpcException
{
    /// <summary>Creates the error with a message that names the parameter and the problem.</summary>
    public InvalidParamsException(string message)
        : base(RpcErrorCodes.InvalidParams, message)
    {
    }

    /// <summary>Creates the error for one parameter.</summary>
    public InvalidParamsException(string parameterName, string problem, Exception? innerException = null)
        : base(RpcErrorCodes.InvalidParams, $"Invalid params: parameter '{parameterName}' {problem}", null, innerException)
    {
        ParameterName = parameterName;
    }

    /// <summary>The offending parameter, when one is to blame.</summary>
    public string? ParameterName { get; }
}

/// <summary>
/// An error of the RPC machinery rather than of the called method (tinyrpc's <c>ServerError</c>).
/// Sent to clients without internal details.
/// </summary>
public class ServerException : RpcException
{
    /// <summary>Creates the error with code -32000.</summary>
    public ServerException(string message = "Server error", object? data = null)
        : base(RpcErrorCodes.ServerError, message, data)
    {
    }

    /// <summary>Creates the error with a code in the server range.</summary>
    public ServerException(int code, string message, object? data = null)
        : base(code, message, data)
    {
    }
}
