
namespace TinyRpc.Exceptions;

/// <summary>
/// The client-side reconstruction of an error the server sent (tinyrpc's <c>MSGPACKRPCError</c>).
/// An error in tinyrpc's form <c>[code, message]</c> gives <see cref="RpcException.Code"/> and
/// <see cref="Exception.Message"/>; any other error object (MSGPACK-RPC allows any) gives code
/// <see cref="RpcErrorCodes.ServerError"/>, a message that shows the object, and the object itself as data.
/// </summary>
public class MessagePackRpcException : RpcException
{
    private readonly IErrorDataReader _reader;

    internal MessagePackRpcException(IErrorDataReader reader, int code, string message, ReadOnlyMemory<byte> rawError, bool isStandardForm, RpcId id)
        : base(code, message)
    {
        _reader = reader;
        RawError = rawError;
        IsStandardForm = isStandardForm;
        RequestId = id;
    }

    /// <summary>The id of the request the error answers (<see cref="RpcId.Null"/> when the server could not read it).</summary>
    public RpcId RequestId { get; }

    /// <summary>True when the error object was <c>[code, message]</c>.</summary>
    public bool IsStandardForm { get; }

    /// <summary>The error object exactly as received.</summary>
    public ReadOnlyMemory<byte> RawError { get; }

    /// <summary>True when the error object was not <c>[code, message]</c>: it is then the data.</summary>
    public override bool HasData => !IsStandardForm;

    /// <inheritdoc/>
    /// <exception cref="InvalidCastException">The error object cannot be read as <typeparamref name="T"/>.</exception>
    public override T? GetData<T>() where T : default
    {
        if (IsStandardForm)
        {
            return default;
        }

        return _reader.ReadErrorData<T>(RawError);
    }
}
