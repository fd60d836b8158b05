
namespace TinyRpc.Exceptions;

/// <summary>
/// The message is msgpack but not a valid MSGPACK-RPC request (code -32600; tinyrpc's <c>MSGPACKRPCInvalidRequestError</c>),
/// or a request was to be created with keyword arguments, which MSGPACK-RPC does not have.
/// </summary>
public class MessagePackRpcInvalidRequestException : InvalidRequestException
{
    /// <summary>Creates the error; <paramref name="detail"/> follows "Invalid request: " in the message.</summary>
    public MessagePackRpcInvalidRequestException(string? detail = null)
        : base(RpcErrorCodes.InvalidRequest, detail is null ? "Invalid request" : "Invalid request: " + detail)
    {
        Detail = detail;
    }

    /// <summary>What is wrong with the request, or null.</summary>
    public string? Detail { get; }
}
