namespace TinyRpc.Exceptions;

/// <summary>The message is not valid JSON (code -32700; tinyrpc's <c>JSONRPCParseError</c>).</summary>
public class JsonRpcParseException : InvalidRequestException
{
    /// <summary>Creates the error; <paramref name="detail"/> goes to the client as <c>data</c>.</summary>
    public JsonRpcParseException(string? detail = null, Exception? innerException = null)
        : base(RpcErrorCodes.ParseError, "Parse error", detail, innerException)
    {
    }
}
