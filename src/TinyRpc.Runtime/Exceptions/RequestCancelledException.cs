namespace TinyRpc.Exceptions;

/// <summary>
/// The answer to a request whose method was cancelled (code -32800, as StreamJsonRpc and the Language Server Protocol
/// answer): the caller asked for it with <c>$/cancelRequest</c>, or the connection ended, or the server stopped.
/// </summary>
public class RequestCancelledException : RpcException
{
    /// <summary>Creates the error.</summary>
    public RequestCancelledException(Exception? innerException = null)
        : base(RpcErrorCodes.RequestCancelled, "The request was cancelled.", null, innerException)
    {
    }
}
