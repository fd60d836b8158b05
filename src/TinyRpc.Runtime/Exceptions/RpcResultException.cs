namespace TinyRpc.Exceptions;

/// <summary>
/// Thrown by a protocol when the result of a successful call cannot be written (no serialization
/// metadata, NaN, a converter failure): a failure of the server, not of the called method.
/// </summary>
public sealed class RpcResultException : Exception
{
    /// <summary>Creates the error.</summary>
    public RpcResultException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
