namespace TinyRpc.Exceptions;

/// <summary>The method is not public on the server (code -32601; tinyrpc's <c>JSONRPCMethodNotFoundError</c>).</summary>
public class JsonRpcMethodNotFoundException : MethodNotFoundException
{
    /// <summary>Creates the error for a method name.</summary>
    public JsonRpcMethodNotFoundException(string method)
        : base(method)
    {
    }
}
