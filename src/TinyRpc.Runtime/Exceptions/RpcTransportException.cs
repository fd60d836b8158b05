namespace TinyRpc.Exceptions;

/// <summary>
/// A transport failed: the peer is unreachable, the connection dropped, or the peer answered with a transport-level
/// error. A failure on this side of the exchange, not an error the server sent: its <see cref="RpcException.Code"/>
/// is <see cref="RpcErrorCodes.TransportError"/>, never one of the codes JSON-RPC reserves.
/// </summary>
public class RpcTransportException : RpcException
{
    /// <summary>Creates the error.</summary>
    public RpcTransportException(string message, Exception? innerException = null)
        : base(RpcErrorCodes.TransportError, message, null, innerException)
    {
    }

    /// <summary>The HTTP status the server answered with, for HTTP transports.</summary>
    public System.Net.HttpStatusCode? StatusCode { get; init; }
}
