using System.Text.Json;
using TinyRpc.Exceptions;

namespace TinyRpc.Protocols.JsonRpc;

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
