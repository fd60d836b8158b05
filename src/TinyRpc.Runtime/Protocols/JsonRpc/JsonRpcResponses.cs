using System.Text.Json;

namespace TinyRpc.Protocols;

/// <summary>The base of JSON-RPC responses: the serialized message and the id it answers.</summary>
public abstract class JsonRpcResponse : RpcResponse
{
    private readonly RpcId _id;
    private readonly int _idStart;
    private readonly int _idLength;

    private protected JsonRpcResponse(JsonRpcProtocol protocol, ReadOnlyMemory<byte> raw, RpcId id)
    {
        Protocol = protocol;
        Raw = raw;
        _id = id;
    }

    // The id stays in wire form, at [idStart, idStart + idLength) of raw, until asked for: a server sends most
    // responses without reading it.
    private protected JsonRpcResponse(JsonRpcProtocol protocol, ReadOnlyMemory<byte> raw, int idStart, int idLength)
    {
        Protocol = protocol;
        Raw = raw;
        _id = RpcId.Null;
        _idStart = idStart;
        _idLength = idLength;
    }

    private protected JsonRpcProtocol Protocol { get; }

    private protected ReadOnlyMemory<byte> Raw { get; }

    /// <summary>
    /// True when the response was written here into an array of its own (see <see cref="JsonRpcRequest.OwnsBytes"/>):
    /// those, and only those, keep their id in wire form.
    /// </summary>
    internal bool OwnsBytes => _idLength > 0;

    /// <inheritdoc/>
    public override bool OwnsSerializedBytes => OwnsBytes;

    /// <inheritdoc/>
    public override RpcId Id => _idLength == 0 ? _id : JsonRpcIds.Parse(Raw.Span.Slice(_idStart, _idLength));

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
    // Where the result lies in the message: offsets rather than a second memory, to keep the object small.
    private readonly int _resultStart;
    private readonly int _resultLength;

    internal JsonRpcSuccessResponse(JsonRpcProtocol protocol, ReadOnlyMemory<byte> raw, RpcId id, int resultStart, int resultLength)
        : base(protocol, raw, id)
    {
        _resultStart = resultStart;
        _resultLength = resultLength;
    }

    // A response written by this server: its id is read from its own bytes only if someone asks.
    private JsonRpcSuccessResponse(JsonRpcProtocol protocol, byte[] raw, int idStart, int idLength, int resultStart, int resultLength)
        : base(protocol, raw, idStart, idLength)
    {
        _resultStart = resultStart;
        _resultLength = resultLength;
    }

    /// <summary>The <c>result</c> member exactly as serialized.</summary>
    public ReadOnlyMemory<byte> RawResult => Raw.Slice(_resultStart, _resultLength);

    /// <inheritdoc/>
    public override T GetResult<T>()
    {
        try
        {
            return Protocol.Codec.Read<T>(Raw.Span.Slice(_resultStart, _resultLength));
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or NotSupportedException or ArgumentException)
        {
            throw new InvalidReplyException($"The result cannot be read as {TypeNames.Describe(typeof(T))}: {e.Message}", e);
        }
    }

    internal static JsonRpcSuccessResponse Create<T>(JsonRpcRequest request, T result)
    {
        JsonRpcProtocol protocol = request.Protocol;
        ReadOnlySpan<byte> rawId = request.RawId;

        // An int or a plain ASCII string: its length is known up front, so the response is written straight
        // into an array of its exact size.
        Span<byte> scratch = stackalloc byte[16];
        int simpleLength = rawId.IsEmpty ? -1 : protocol.Codec.MeasureSimple(result, scratch);
        if (simpleLength >= 0)
        {
            ReadOnlySpan<byte> head = "{\"jsonrpc\":\"2.0\",\"id\":"u8;
            ReadOnlySpan<byte> middle = ",\"result\":"u8;
            byte[] message = new byte[head.Length + rawId.Length + middle.Length + simpleLength + 1];
            head.CopyTo(message);
            rawId.CopyTo(message.AsSpan(head.Length));
            middle.CopyTo(message.AsSpan(head.Length + rawId.Length));
            int valueStart = head.Length + rawId.Length + middle.Length;
            JsonValueCodec.WriteSimple(result, scratch, message.AsSpan(valueStart, simpleLength));
            message[^1] = (byte)'}';
            return new JsonRpcSuccessResponse(protocol, message, head.Length, rawId.Length, valueStart, simpleLength);
        }

        using PooledJsonWriter pooled = PooledJsonWriter.Rent(protocol.Codec.WriterOptions);

        // The envelope is the same bytes on every reply but for the id, which is echoed exactly as received:
        // it is copied in around the result, and only the result goes through the writer.
        pooled.WriteRaw(rawId.IsEmpty ? "{\"jsonrpc\":\"2.0\",\"id\":null"u8 : "{\"jsonrpc\":\"2.0\",\"id\":"u8);
        int idStart = pooled.Length;
        pooled.WriteRaw(rawId);
        int idEnd = pooled.Length;
        pooled.WriteRaw(",\"result\":"u8);
        int resultStart = pooled.Length;
        try
        {
            protocol.Codec.Write(pooled.Writer, result);
            pooled.Flush();
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or JsonException or ArgumentException)
        {
            throw new RpcResultException($"The result ({TypeNames.Describe(typeof(T))}) cannot be written as JSON: {e.Message}", e);
        }

        int resultEnd = pooled.Length;
        pooled.WriteRaw("}"u8);
        byte[] bytes = pooled.ToArray();
        return new JsonRpcSuccessResponse(protocol, bytes, idStart, idEnd - idStart, resultStart, resultEnd - resultStart);
    }
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

    /// <inheritdoc/>
    /// <remarks>True: every <see cref="Serialize"/> joins the members into a new array.</remarks>
    public override bool OwnsSerializedBytes => true;

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

    /// <inheritdoc/>
    /// <remarks>True: every <see cref="Serialize"/> joins the responses into a new array.</remarks>
    public override bool OwnsSerializedBytes => true;

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
