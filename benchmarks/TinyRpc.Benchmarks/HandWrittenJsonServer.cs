using System.Buffers;
using System.Text.Json;

namespace TinyRpc.Benchmarks;

/// <summary>
/// The floor of the server path: one Utf8JsonReader pass over the request, a direct call, one Utf8JsonWriter
/// pass into a reused buffer. It knows the two methods by heart and checks only what it must to find them.
/// </summary>
public sealed class HandWrittenJsonServer
{
    private readonly BenchService _service;
    private readonly ArrayBufferWriter<byte> _buffer = new(256);
    private readonly Utf8JsonWriter _writer;

    public HandWrittenJsonServer(BenchService service)
    {
        _service = service;
        _writer = new Utf8JsonWriter(_buffer);
    }

    /// <summary>Returns the response; valid until the next call.</summary>
    public ReadOnlyMemory<byte> Handle(ReadOnlySpan<byte> request)
    {
        var reader = new Utf8JsonReader(request);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("Not a request object.");
        }

        int method = -1;
        ReadOnlySpan<byte> id = default;
        ReadOnlySpan<byte> parameters = default;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("jsonrpc"u8))
            {
                reader.Read();
                if (!reader.ValueTextEquals("2.0"u8))
                {
                    throw new JsonException("Not JSON-RPC 2.0.");
                }
            }
            else if (reader.ValueTextEquals("method"u8))
            {
                reader.Read();
                method = reader.ValueTextEquals("reverse_string"u8) ? 0 : reader.ValueTextEquals("add"u8) ? 1 : throw new JsonException("No such method.");
            }
            else if (reader.ValueTextEquals("params"u8))
            {
                reader.Read();
                int start = (int)reader.TokenStartIndex;
                reader.Skip();
                parameters = request[start..(int)reader.BytesConsumed];
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                int start = (int)reader.TokenStartIndex;
                id = request[start..(int)reader.BytesConsumed];
            }
            else
            {
                throw new JsonException("Unknown member.");
            }
        }

        _buffer.ResetWrittenCount();
        _writer.Reset();
        _writer.WriteStartObject();
        _writer.WriteString("jsonrpc"u8, "2.0"u8);
        _writer.WritePropertyName("id"u8);
        _writer.WriteRawValue(id, skipInputValidation: true);
        var args = new Utf8JsonReader(parameters);
        args.Read();
        args.Read();
        if (method == 0)
        {
            string s = args.GetString()!;
            _writer.WriteString("result"u8, _service.ReverseString(s));
        }
        else
        {
            int a = args.GetInt32();
            args.Read();
            int b = args.GetInt32();
            _writer.WriteNumber("result"u8, _service.Add(a, b));
        }

        _writer.WriteEndObject();
        _writer.Flush();
        return _buffer.WrittenMemory;
    }
}
