namespace TinyRpc.Exceptions;

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
