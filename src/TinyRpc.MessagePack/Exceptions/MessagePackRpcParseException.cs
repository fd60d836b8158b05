
namespace TinyRpc.Exceptions;

/// <summary>
/// The message is not valid msgpack (code -32700; tinyrpc's <c>MSGPACKRPCParseError</c>). MSGPACK-RPC errors
/// have no data member, so the detail is part of the message sent to the client.
/// </summary>
public class MessagePackRpcParseException : InvalidRequestException
{
    /// <summary>Creates the error; <paramref name="detail"/> follows "Parse error: " in the message.</summary>
    public MessagePackRpcParseException(string? detail = null, Exception? innerException = null)
        : base(RpcErrorCodes.ParseError, detail is null ? "Parse error" : "Parse error: " + detail, null, innerException)
    {
        Detail = detail;
    }

    /// <summary>What is wrong with the message, or null.</summary>
    public string? Detail { get; }
}
