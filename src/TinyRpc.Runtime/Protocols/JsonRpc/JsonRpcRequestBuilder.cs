using System.Text.Json;
using TinyRpc.Exceptions;

namespace TinyRpc.Protocols.JsonRpc;

internal sealed class JsonRpcRequestBuilder : RpcRequestBuilder
{
    private readonly JsonRpcProtocol _protocol;
    private readonly bool _oneWay;
    private PooledJsonWriter? _pooled;
    private int _mode; // 0 none, 1 positional, 2 named

    public JsonRpcRequestBuilder(JsonRpcProtocol protocol, string method, bool oneWay)
    {
        _protocol = protocol;
        _oneWay = oneWay;
        _pooled = PooledJsonWriter.Rent(protocol.Codec.WriterOptions);
        Utf8JsonWriter w = _pooled.Writer;
        w.WriteStartObject();
        w.WriteString(JsonRpcNames.JsonRpc, JsonRpcNames.Version);
        w.WriteString(JsonRpcNames.Method, method);
    }

    private Utf8JsonWriter Writer => (_pooled ?? throw new InvalidOperationException("The request was already built.")).Writer;

    public override RpcRequestBuilder Add<T>(T value)
    {
        Utf8JsonWriter w = Writer;
        if (_mode == 2)
        {
            Abandon();
            throw new JsonRpcInvalidRequestException("JSON-RPC does not allow positional and named parameters at once.");
        }

        if (_mode == 0)
        {
            w.WriteStartArray(JsonRpcNames.Params);
            _mode = 1;
        }

        WriteValue(w, value);
        return this;
    }

    public override RpcRequestBuilder Add<T>(string name, T value)
    {
        ArgumentNullException.ThrowIfNull(name);
        Utf8JsonWriter w = Writer;
        if (_mode == 1)
        {
            Abandon();
            throw new JsonRpcInvalidRequestException("JSON-RPC does not allow positional and named parameters at once.");
        }

        if (_mode == 0)
        {
            w.WriteStartObject(JsonRpcNames.Params);
            _mode = 2;
        }

        w.WritePropertyName(name);
        WriteValue(w, value);
        return this;
    }

    private void WriteValue<T>(Utf8JsonWriter w, T value)
    {
        try
        {
            _protocol.Codec.Write(w, value);
        }
        catch
        {
            Abandon();
            throw;
        }
    }

    public override RpcRequest Build()
    {
        Utf8JsonWriter w = Writer;
        if (_mode == 1)
        {
            w.WriteEndArray();
        }
        else if (_mode == 2)
        {
            w.WriteEndObject();
        }

        byte[] bytes;
        int idStart = 0, idLength = 0;
        if (!_oneWay)
        {
            w.WritePropertyName(JsonRpcNames.Id);
            idStart = _pooled!.Position;
            w.WriteNumberValue(_protocol.NextId());
            idLength = _pooled.Position - idStart;
        }

        w.WriteEndObject();
        bytes = _pooled!.ToArray();
        Abandon();

        // The method name lies after the fixed prefix {"jsonrpc":"2.0","method":" when it needed no escaping.
        ReadOnlyMemory<byte> memory = bytes;
        return new JsonRpcRequest(_protocol, memory, MethodSlice(memory), method: null, hasId: !_oneWay,
            _oneWay ? default : memory.Slice(idStart, idLength), arguments: null) { OwnsBytes = true };
    }

    private static ReadOnlyMemory<byte> MethodSlice(ReadOnlyMemory<byte> message)
    {
        ReadOnlySpan<byte> prefix = "{\"jsonrpc\":\"2.0\",\"method\":\""u8;
        ReadOnlySpan<byte> rest = message.Span[prefix.Length..];
        int quote = rest.IndexOfAny((byte)'"', (byte)'\\');
        return rest[quote] == (byte)'"' ? message.Slice(prefix.Length, quote) : System.Text.Encoding.UTF8.GetBytes(ReadMethod(message.Span));
    }

    private static string ReadMethod(ReadOnlySpan<byte> message)
    {
        var reader = new Utf8JsonReader(message);
        reader.Read();
        while (reader.Read() && !reader.ValueTextEquals("method"u8))
        {
            reader.Skip();
        }

        reader.Read();
        return reader.GetString()!;
    }

    private void Abandon()
    {
        _pooled?.Dispose();
        _pooled = null;
    }
}
