using System.Text.Json;

namespace TinyRpc.Protocols;

/// <summary>The message is not valid JSON (code -32700; tinyrpc's <c>JSONRPCParseError</c>).</summary>
public class JsonRpcParseException : InvalidRequestException
{
    /// <summary>Creates the error; <paramref name="detail"/> goes to the client as <c>data</c>.</summary>
    public JsonRpcParseException(string? detail = null, Exception? innerException = null)
        : base(RpcErrorCodes.ParseError, "Parse error", detail, innerException)
    {
    }

    internal JsonRpcProtocol? Protocol { get; init; }

    /// <inheritdoc/>
    public override RpcErrorResponse ErrorRespond() => (Protocol ?? JsonRpcProtocol.Shared).CreateErrorResponse(this, RequestId.IsNone ? RpcId.Null : RequestId);
}

/// <summary>The message is JSON but not a valid JSON-RPC 2.0 request (code -32600; tinyrpc's <c>JSONRPCInvalidRequestError</c>).</summary>
public class JsonRpcInvalidRequestException : InvalidRequestException
{
    /// <summary>Creates the error; <paramref name="detail"/> goes to the client as <c>data</c>.</summary>
    public JsonRpcInvalidRequestException(string? detail = null)
        : base(RpcErrorCodes.InvalidRequest, "Invalid Request", detail)
    {
    }

    internal JsonRpcProtocol? Protocol { get; init; }

    /// <inheritdoc/>
    public override RpcErrorResponse ErrorRespond() => (Protocol ?? JsonRpcProtocol.Shared).CreateErrorResponse(this, RequestId.IsNone ? RpcId.Null : RequestId);
}

/// <summary>The method is not public on the server (code -32601; tinyrpc's <c>JSONRPCMethodNotFoundError</c>).</summary>
public class JsonRpcMethodNotFoundException : MethodNotFoundException
{
    /// <summary>Creates the error for a method name.</summary>
    public JsonRpcMethodNotFoundException(string method)
        : base(method)
    {
    }
}

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

/// <summary>An error of the RPC machinery, not of the called method (code -32603; tinyrpc's <c>JSONRPCInternalError</c>).</summary>
public class JsonRpcInternalException : ServerException
{
    /// <summary>Creates the error.</summary>
    public JsonRpcInternalException(string message = "Internal error", object? data = null)
        : base(RpcErrorCodes.InternalError, message, data)
    {
    }
}

/// <summary>An error that originates from the called method (code -32000; tinyrpc's <c>JSONRPCServerError</c>).</summary>
public class JsonRpcServerException : ServerException
{
    /// <summary>Creates the error.</summary>
    public JsonRpcServerException(string message = "Server error", object? data = null)
        : base(RpcErrorCodes.ServerError, message, data)
    {
    }
}

/// <summary>
/// The client-side reconstruction of an error the server sent (tinyrpc's <c>JSONRPCError</c>):
/// <see cref="RpcException.Code"/>, <see cref="Exception.Message"/> and the <c>data</c> member,
/// available as a <see cref="JsonElement"/> in <see cref="RpcException.ErrorData"/> and typed through <see cref="GetData{T}"/>.
/// </summary>
public class JsonRpcException : RpcException
{
    private readonly ReadOnlyMemory<byte> _rawData;
    private readonly JsonRpcProtocol _protocol;

    internal JsonRpcException(JsonRpcProtocol protocol, int code, string message, ReadOnlyMemory<byte> rawData, RpcId id)
        : base(code, message, rawData.IsEmpty ? null : ParseElement(rawData.Span))
    {
        _protocol = protocol;
        _rawData = rawData;
        RequestId = id;
    }

    /// <summary>The id of the request the error answers.</summary>
    public RpcId RequestId { get; }

    /// <inheritdoc/>
    public override bool HasData => !_rawData.IsEmpty;

    /// <summary>The <c>data</c> member exactly as it was received, or empty.</summary>
    public ReadOnlyMemory<byte> RawData => _rawData;

    /// <inheritdoc/>
    /// <exception cref="InvalidCastException">The data cannot be read as <typeparamref name="T"/>.</exception>
    public override T? GetData<T>() where T : default
    {
        if (_rawData.IsEmpty)
        {
            return default;
        }

        try
        {
            return _protocol.Codec.Read<T>(_rawData.Span);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or NotSupportedException or ArgumentException)
        {
            throw new InvalidCastException($"The error data cannot be read as {TypeNames.Describe(typeof(T))}: {e.Message}", e);
        }
    }

    private static JsonElement ParseElement(ReadOnlySpan<byte> raw)
    {
        var reader = new Utf8JsonReader(raw);
        return JsonElement.ParseValue(ref reader);
    }
}
