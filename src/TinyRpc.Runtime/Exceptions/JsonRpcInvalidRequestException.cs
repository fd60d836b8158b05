namespace TinyRpc.Exceptions;

/// <summary>The message is JSON but not a valid JSON-RPC 2.0 request (code -32600; tinyrpc's <c>JSONRPCInvalidRequestError</c>).</summary>
public class JsonRpcInvalidRequestException : InvalidRequestException
{
    /// <summary>Creates the error; <paramref name="detail"/> goes to the client as <c>data</c>.</summary>
    public JsonRpcInvalidRequestException(string? detail = null)
        : base(RpcErrorCodes.InvalidRequest, "Invalid Request", detail)
    {
    }
}
