using System.Text.Json;
using TinyRpc.Exceptions;

namespace TinyRpc.Protocols.JsonRpc;

public sealed partial class JsonRpcProtocol
{
    /// <inheritdoc/>
    public override ReadOnlyMemory<byte> EncodeValue<T>(T value)
    {
        using PooledJsonWriter pooled = PooledJsonWriter.Rent(Codec.WriterOptions);
        try
        {
            Codec.Write(pooled.Writer, value);
            pooled.Flush();
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or JsonException or ArgumentException)
        {
            throw new RpcResultException($"A value ({TypeNames.Describe(typeof(T))}) cannot be written as JSON: {e.Message}", e);
        }

        return pooled.ToArray();
    }

    /// <inheritdoc/>
    public override T DecodeValue<T>(ReadOnlyMemory<byte> encoded)
    {
        try
        {
            return Codec.Read<T>(encoded.Span);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or NotSupportedException or ArgumentException)
        {
            throw new InvalidReplyException($"A value of the stream cannot be read as {TypeNames.Describe(typeof(T))}: {e.Message}", e);
        }
    }
}
