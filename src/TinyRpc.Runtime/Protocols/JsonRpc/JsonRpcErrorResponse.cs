using System.Text.Json;
using TinyRpc.Exceptions;

namespace TinyRpc.Protocols.JsonRpc;

/// <summary>A JSON-RPC error response (tinyrpc's <c>JSONRPCErrorResponse</c>).</summary>
public sealed class JsonRpcErrorResponse : RpcErrorResponse
{
    private readonly JsonRpcProtocol _protocol;
    private readonly ReadOnlyMemory<byte> _raw;
    private readonly RpcId _id;
    private readonly ReadOnlyMemory<byte> _data;

    internal JsonRpcErrorResponse(JsonRpcProtocol protocol, ReadOnlyMemory<byte> raw, RpcId id, int code, string message, ReadOnlyMemory<byte> data)
    {
        _protocol = protocol;
        _raw = raw;
        _id = id;
        Code = code;
        Message = message;
        _data = data;
    }

    /// <inheritdoc/>
    public override RpcId Id => _id;

    /// <inheritdoc/>
    public override int Code { get; }

    /// <inheritdoc/>
    public override string Message { get; }

    /// <inheritdoc/>
    public override bool HasData => !_data.IsEmpty;

    /// <summary>The <c>data</c> member exactly as serialized, or empty.</summary>
    public ReadOnlyMemory<byte> RawData => _data;

    /// <summary>True when the response was written here into an array of its own (see <see cref="JsonRpcRequest.OwnsBytes"/>).</summary>
    internal bool OwnsBytes { get; init; }

    /// <inheritdoc/>
    public override bool OwnsSerializedBytes => OwnsBytes;

    /// <inheritdoc/>
    public override ReadOnlyMemory<byte> Serialize() => _raw;

    /// <inheritdoc/>
    public override T? GetData<T>() where T : default
    {
        if (_data.IsEmpty)
        {
            return default;
        }

        try
        {
            return _protocol.Codec.Read<T>(_data.Span);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or NotSupportedException or ArgumentException)
        {
            throw new InvalidReplyException($"The error data cannot be read as {TypeNames.Describe(typeof(T))}: {e.Message}", e);
        }
    }

    /// <inheritdoc/>
    public override RpcException ToException() => new JsonRpcException(_protocol.Codec, Code, Message, _data, _id);

    internal static JsonRpcErrorResponse Create(JsonRpcRequest request, Exception error)
        => Create(request.Protocol, error, JsonRpcIds.Parse(request.RawId), request);

    internal static JsonRpcErrorResponse Create(JsonRpcProtocol protocol, Exception error, RpcId id, JsonRpcRequest? request = null)
    {
        int code = error is RpcException rpc ? rpc.Code : RpcErrorCodes.ServerError;
        string message = error.Message;
        object? data = error is RpcException withData && withData.HasData ? withData.ErrorData : null;
        ReadOnlyMemory<byte> rawData = error is JsonRpcException remote ? remote.RawData : default;

        using PooledJsonWriter pooled = PooledJsonWriter.Rent(protocol.Codec.WriterOptions);
        Utf8JsonWriter w = pooled.Writer;
        JsonRpcResponse.WriteEnvelopeStart(w, request, id);
        w.WriteStartObject("error"u8);
        w.WriteNumber("code"u8, code);
        w.WriteString("message"u8, message);
        int dataStart = 0, dataEnd = 0;
        if (!rawData.IsEmpty || data is not null)
        {
            w.WritePropertyName("data"u8);
            dataStart = pooled.Position;
            if (!rawData.IsEmpty)
            {
                w.WriteRawValue(rawData.Span, skipInputValidation: true);
            }
            else if (!TryWriteData(protocol, pooled, data))
            {
                // The data has no serialization metadata: send its text rather than lose the error.
                w.WriteStringValue(data!.ToString());
            }

            dataEnd = pooled.Position;
        }

        w.WriteEndObject();
        w.WriteEndObject();
        byte[] bytes = pooled.ToArray();
        return new JsonRpcErrorResponse(protocol, bytes, id, code, message, bytes.AsMemory(dataStart, dataEnd - dataStart)) { OwnsBytes = true };
    }

    // Writes the data into a scratch writer first, so that a failure leaves the message intact.
    private static bool TryWriteData(JsonRpcProtocol protocol, PooledJsonWriter target, object? data)
    {
        byte[] json;
        try
        {
            using PooledJsonWriter scratch = PooledJsonWriter.Rent(protocol.Codec.WriterOptions);
            protocol.Codec.WriteObject(scratch.Writer, data);
            json = scratch.ToArray();
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or JsonException or ArgumentException)
        {
            return false;
        }

        target.Writer.WriteRawValue(json, skipInputValidation: true);
        return true;
    }
}
