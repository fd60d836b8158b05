namespace TinyRpc.Exceptions;

/// <summary>
/// The parameters do not fit the method (code -32602; tinyrpc's <c>JSONRPCInvalidParamsError</c>).
/// Derives from <see cref="InvalidParamsException"/> so that one catch serves every protocol.
/// </summary>
public class JsonRpcInvalidParamsException : InvalidParamsException
{
    /// <summary>Creates the error with a message naming the problem.</summary>
    public JsonRpcInvalidParamsException(string message = "Invalid params")
        : base(message)
    {
    }
}
