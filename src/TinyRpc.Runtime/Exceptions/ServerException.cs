namespace TinyRpc.Exceptions;

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
