namespace TinyRpc.Exceptions;

/// <summary>An error of the RPC machinery, not of the called method (code -32603; tinyrpc's <c>JSONRPCInternalError</c>).</summary>
public class JsonRpcInternalException : ServerException
{
    /// <summary>Creates the error.</summary>
    public JsonRpcInternalException(string message = "Internal error", object? data = null)
        : base(RpcErrorCodes.InternalError, message, data)
    {
    }
}
