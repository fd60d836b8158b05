using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace TinyRpc.Protocols;

internal static class JsonRpcIds
{
    /// <summary>Reads an id from its raw JSON token (a string, a number or null).</summary>
    public static RpcId Parse(ReadOnlySpan<byte> raw)
    {
        if (raw.IsEmpty)
        {
            return RpcId.None;
        }

        if (raw[0] == (byte)'"')
        {
            var reader = new Utf8JsonReader(raw);
            reader.Read();
            return RpcId.FromString(reader.GetString()!);
        }

        if (raw[0] == (byte)'n')
        {
            return RpcId.Null;
        }

        // Integral ids are numbers; a fractional or huge number (discouraged by the specification)
        // keeps its exact text so that it is at least echoed faithfully.
        return Utf8Parser.TryParse(raw, out long value, out int consumed) && consumed == raw.Length
            ? RpcId.FromNumber(value)
            : RpcId.FromString(Encoding.UTF8.GetString(raw));
    }

    public static void Write(Utf8JsonWriter writer, RpcId id)
    {
        switch (id.Kind)
        {
            case RpcIdKind.Number:
                writer.WriteNumberValue(id.Number);
                break;
            case RpcIdKind.String:
                writer.WriteStringValue(id.Text);
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }
}
