namespace TinyRpc.Exceptions;

/// <summary>A request violated the protocol specification and could not be parsed (tinyrpc's <c>InvalidRequestError</c>).</summary>
public abstract class InvalidRequestException : BadRequestException
{
    /// <summary>Creates the error with a code and message.</summary>
    protected InvalidRequestException(int code, string message, object? data = null, Exception? innerException = null)
        : base(code, message, data, innerException)
    {
    }
}
