namespace TinyRpc.Exceptions;

/// <summary>A reply violated the protocol specification (tinyrpc's <c>InvalidReplyError</c>).</summary>
public class InvalidReplyException : BadReplyException
{
    /// <summary>Creates the error with a message.</summary>
    public InvalidReplyException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
