using System.Buffers;
using MessagePack;
using TinyRpc.Exceptions;

namespace TinyRpc.Protocols.MsgPackRpc;

public sealed partial class MessagePackRpcProtocol
{
    /// <inheritdoc/>
    public override ReadOnlyMemory<byte> EncodeValue<T>(T value)
    {
        PooledMessagePackBuffer pooled = PooledMessagePackBuffer.Rent();
        try
        {
            ArrayBufferWriter<byte> buffer = pooled.Buffer;
            var writer = new MessagePackWriter(buffer);
            try
            {
                Codec.Write(ref writer, value);
                writer.Flush();
            }
            catch (Exception e) when (MessagePackValueCodec.IsDecodeFailure(e))
            {
                throw new RpcResultException($"A value ({TypeNames.Describe(typeof(T))}) cannot be written as msgpack: {e.Message}", e);
            }

            return buffer.WrittenSpan.ToArray();
        }
        finally
        {
            pooled.Return();
        }
    }

    /// <inheritdoc/>
    public override T DecodeValue<T>(ReadOnlyMemory<byte> encoded)
    {
        try
        {
            return Codec.Read<T>(encoded);
        }
        catch (Exception e) when (MessagePackValueCodec.IsDecodeFailure(e))
        {
            throw new InvalidReplyException($"A value of the stream cannot be read as {TypeNames.Describe(typeof(T))}: {e.Message}", e);
        }
    }
}
