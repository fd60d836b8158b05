using System.Text.Json;

namespace TinyRpc.Protocols;

/// <summary>The base of JSON-RPC responses: the serialized message and the id it answers.</summary>
public abstract class JsonRpcResponse : RpcResponse
{
    private protected JsonRpcResponse(JsonRpcProtocol protocol, ReadOnlyMemory<byte> raw, RpcId id)
    {
        Protocol = protocol;
        Raw = raw;
        IdValue = id;
    }

    private protected JsonRpcProtocol Protocol { get; }

    private protected ReadOnlyMemory<byte> Raw { get; }

    private protected RpcId IdValue { get; }

    /// <inheritdoc/>
    public override RpcId Id => IdValue;

    /// <inheritdoc/>
    public override ReadOnlyMemory<byte> Serialize() => Raw;

    internal static void WriteEnvelopeStart(Utf8JsonWriter w, JsonRpcRequest? request, RpcId id)
    {
        w.WriteStartObject();
        w.WriteString(JsonRpcNames.JsonRpc, JsonRpcNames.Version);
        w.WritePropertyName(JsonRpcNames.Id);
        if (request is not null && !request.RawId.IsEmpty)
        {
            w.WriteRawValue(request.RawId, skipInputValidation: true); // echoed exactly as received
        }
        else
        {
            JsonRpcIds.Write(w, id);
        }
    }
}

/// <summary>A successful JSON-RPC response (tinyrpc's <c>JSONRPCSuccessResponse</c>).</summary>
public sealed class JsonRpcSuccessResponse : JsonRpcResponse
{
    private readonly ReadOnlyMemory<byte> _result;

    internal JsonRpcSuccessResponse(JsonRpcProtocol protocol, ReadOnlyMemory<byte> raw, RpcId id, ReadOnlyMemory<byte> result)
        : base(protocol, raw, id)
    {
        _result = result;
    }

    /// <summary>The <c>result</c> member exactly as serialized.</summary>
    public ReadOnlyMemory<byte> RawResult => _result;

    /// <inheritdoc/>
    public override T GetResult<T>()
    {
        try
        {
            return Protocol.Codec.Read<T>(_result.Span);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or NotSupportedException or ArgumentException)
        {
            throw new InvalidReplyException($"The result cannot be read as {TypeNames.Describe(typeof(T))}: {e.Message}", e);
        }
    }

    internal static JsonRpcSuccessResponse Create<T>(JsonRpcRequest request, T result)
    {
        JsonRpcProtocol protocol = request.Protocol;
        using PooledJsonWriter pooled = PooledJsonWriter.Rent(protocol.Codec.WriterOptions);
        Utf8JsonWriter w = pooled.Writer;
        WriteEnvelopeStart(w, request, default);
        w.WritePropertyName(JsonRpcNames.Result);
        int resultStart = pooled.Position;
        try
        {
            protocol.Codec.Write(w, result);
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or JsonException or ArgumentException)
        {
            throw new RpcResultException($"The result ({TypeNames.Describe(typeof(T))}) cannot be written as JSON: {e.Message}", e);
        }

        int resultEnd = pooled.Position;
        w.WriteEndObject();
        byte[] bytes = pooled.ToArray();
        return new JsonRpcSuccessResponse(protocol, bytes, LazyId(request), bytes.AsMemory(resultStart, resultEnd - resultStart));
    }

    private static RpcId LazyId(JsonRpcRequest request) => JsonRpcIds.Parse(request.RawId);
}

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
    public override RpcException ToException() => new JsonRpcException(_protocol, Code, Message, _data, _id);

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
        return new JsonRpcErrorResponse(protocol, bytes, id, code, message, bytes.AsMemory(dataStart, dataEnd - dataStart));
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

/// <summary>A batch of JSON-RPC requests (tinyrpc's <c>JSONRPCBatchRequest</c>).</summary>
public sealed class JsonRpcBatchRequest : RpcBatchRequest
{
    private readonly JsonRpcProtocol _protocol;
    private readonly List<RpcBatchItem> _items;

    internal JsonRpcBatchRequest(JsonRpcProtocol protocol, List<RpcBatchItem> items)
    {
        _protocol = protocol;
        _items = items;
    }

    /// <inheritdoc/>
    protected override IReadOnlyList<RpcBatchItem> Items => _items;

    /// <inheritdoc/>
    public override RpcBatchResponse? CreateBatchResponse(IEnumerable<RpcResponse?> responses)
    {
        ArgumentNullException.ThrowIfNull(responses);
        var list = new List<RpcResponse>();
        foreach (RpcResponse? response in responses)
        {
            if (response is not null)
            {
                list.Add(response);
            }
        }

        return list.Count == 0 ? null : new JsonRpcBatchResponse(list);
    }

    /// <inheritdoc/>
    /// <remarks>Invalid members of a parsed batch are left out: only requests can be serialized.</remarks>
    public override ReadOnlyMemory<byte> Serialize()
        => JsonRpcBatchResponse.Join(_items.Where(static i => i.IsValid).Select(static i => i.Request!.Serialize()));

    internal JsonRpcProtocol Protocol => _protocol;
}

/// <summary>The responses to a JSON-RPC batch (tinyrpc's <c>JSONRPCBatchResponse</c>).</summary>
public sealed class JsonRpcBatchResponse : RpcBatchResponse
{
    private readonly List<RpcResponse> _items;

    internal JsonRpcBatchResponse(List<RpcResponse> items)
    {
        _items = items;
    }

    /// <inheritdoc/>
    protected override IReadOnlyList<RpcResponse> Items => _items;

    /// <inheritdoc/>
    public override ReadOnlyMemory<byte> Serialize() => Join(_items.Select(static r => r.Serialize()));

    internal static byte[] Join(IEnumerable<ReadOnlyMemory<byte>> parts)
    {
        List<ReadOnlyMemory<byte>> list = parts.ToList();
        int length = 2 + Math.Max(0, list.Count - 1) + list.Sum(static p => p.Length);
        byte[] result = new byte[length];
        int at = 0;
        result[at++] = (byte)'[';
        for (int i = 0; i < list.Count; i++)
        {
            if (i > 0)
            {
                result[at++] = (byte)',';
            }

            list[i].Span.CopyTo(result.AsSpan(at));
            at += list[i].Length;
        }

        result[at] = (byte)']';
        return result;
    }
}
