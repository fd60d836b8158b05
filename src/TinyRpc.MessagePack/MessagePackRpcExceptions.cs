namespace TinyRpc.Protocols;

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

    internal MessagePackRpcProtocol? Protocol { get; init; }

    /// <inheritdoc/>
    public override RpcErrorResponse ErrorRespond() => (Protocol ?? MessagePackRpcProtocol.Shared).CreateErrorResponse(this, RequestId);
}

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

    internal MessagePackRpcProtocol? Protocol { get; init; }

    /// <inheritdoc/>
    public override RpcErrorResponse ErrorRespond() => (Protocol ?? MessagePackRpcProtocol.Shared).CreateErrorResponse(this, RequestId);
}

/// <summary>
/// The client-side reconstruction of an error the server sent (tinyrpc's <c>MSGPACKRPCError</c>).
/// An error in tinyrpc's form <c>[code, message]</c> gives <see cref="RpcException.Code"/> and
/// <see cref="Exception.Message"/>; any other error object (MSGPACK-RPC allows any) gives code
/// <see cref="RpcErrorCodes.ServerError"/>, a message that shows the object, and the object itself as data.
/// </summary>
public class MessagePackRpcException : RpcException
{
    private readonly MessagePackRpcProtocol _protocol;

    internal MessagePackRpcException(MessagePackRpcProtocol protocol, int code, string message, ReadOnlyMemory<byte> rawError, bool isStandardForm, RpcId id)
        : base(code, message)
    {
        _protocol = protocol;
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

        try
        {
            return _protocol.Codec.Read<T>(RawError);
        }
        catch (Exception e) when (MessagePackValueCodec.IsDecodeFailure(e))
        {
            throw new InvalidCastException($"The error object cannot be read as {TypeNames.Describe(typeof(T))}: {e.Message}", e);
        }
    }
}
