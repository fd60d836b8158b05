namespace TinyRpc.Exceptions;

/// <summary>An error that originates from the called method (code -32000; tinyrpc's <c>JSONRPCServerError</c>).</summary>
public class JsonRpcServerException : ServerException
{
    /// <summary>Creates the error.</summary>
    public JsonRpcServerException(string message = "Server error", object? data = null)
        : base(RpcErrorCodes.ServerError, message, data)
    {
    }
}
