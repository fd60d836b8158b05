namespace TinyRpc.Exceptions;

/// <summary>The bytes on a stream break the framing rules, or a message is larger than allowed.</summary>
public sealed class RpcFramingException : RpcTransportException
{
    /// <summary>Creates the error.</summary>
    public RpcFramingException(string message)
        : base(message)
    {
    }
}
