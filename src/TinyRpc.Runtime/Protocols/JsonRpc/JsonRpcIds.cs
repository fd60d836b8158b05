using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace TinyRpc.Protocols.JsonRpc;

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

        // A fractional or huge number (discouraged by the specification) is still a number id:
        // it keeps its exact text, so that it is echoed faithfully and never equals a string id.
        return Utf8Parser.TryParse(raw, out long value, out int consumed) && consumed == raw.Length
            ? RpcId.FromNumber(value)
            : RpcId.FromNumberText(Encoding.UTF8.GetString(raw));
    }

    public static void Write(Utf8JsonWriter writer, RpcId id)
    {
        switch (id.Kind)
        {
            case RpcIdKind.Number when id.NumberText is { } text:
                writer.WriteRawValue(text, skipInputValidation: true); // the exact text of a received number
                break;
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
