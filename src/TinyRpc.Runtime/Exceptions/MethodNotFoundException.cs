namespace TinyRpc.Exceptions;

/// <summary>The requested method is not public on the server (tinyrpc's <c>MethodNotFoundError</c>).</summary>
public class MethodNotFoundException : RpcException
{
    /// <summary>Creates the error for a method name.</summary>
    public MethodNotFoundException(string method)
        : base(RpcErrorCodes.MethodNotFound, "Method not found")
    {
        MethodName = method;
    }

    /// <summary>The name that was not found.</summary>
    public string MethodName { get; }
}
