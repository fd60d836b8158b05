namespace TinyRpc.Exceptions;

/// <summary>
/// A request could not be turned into a request object (tinyrpc's <c>BadRequestError</c>).
/// The error still answers the client: the protocol's <c>ErrorRespond</c> makes the error response from it.
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
}
