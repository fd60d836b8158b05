using System.Buffers;
using MessagePack;
using TinyRpc.Exceptions;

namespace TinyRpc.Protocols.MsgPackRpc;

/// <summary>A successful MSGPACK-RPC response <c>[1, msgid, nil, result]</c> (tinyrpc's <c>MSGPACKRPCSuccessResponse</c>).</summary>
public sealed class MessagePackRpcSuccessResponse : MessagePackRpcResponse
{
    internal MessagePackRpcSuccessResponse(MessagePackRpcProtocol protocol, ReadOnlyMemory<byte> raw, uint? msgId, int resultStart)
        : base(protocol, raw, msgId, resultStart)
    {
    }

    /// <summary>The result exactly as serialized.</summary>
    public ReadOnlyMemory<byte> RawResult => Raw[BodyStart..];

    /// <inheritdoc/>
    public override T GetResult<T>()
    {
        try
        {
            return Protocol.Codec.Read<T>(RawResult);
        }
        catch (Exception e) when (MessagePackValueCodec.IsDecodeFailure(e))
        {
            throw new InvalidReplyException($"The result cannot be read as {TypeNames.Describe(typeof(T))}: {e.Message}", e);
        }
    }

    // [1, msgid, nil, result] in an array of its exact size.
    internal static MessagePackRpcSuccessResponse Create<T>(MessagePackRpcProtocol protocol, uint msgId, T result)
    {
        int resultStart = 3 + MessagePackWire.IntegerSize(msgId);
        int size = MessagePackValueCodec.DirectSize(result);
        if (size >= 0)
        {
            byte[] bytes = new byte[resultStart + size];
            WriteEnvelopeStart(bytes, msgId);
            MessagePackValueCodec.WriteDirect(bytes.AsSpan(resultStart), result);
            return new MessagePackRpcSuccessResponse(protocol, bytes, msgId, resultStart) { OwnsBytes = true };
        }

        PooledMessagePackBuffer pooled = PooledMessagePackBuffer.Rent();
        try
        {
            ArrayBufferWriter<byte> buffer = pooled.Buffer;
            WriteEnvelopeStart(buffer.GetSpan(resultStart), msgId);
            buffer.Advance(resultStart);
            var writer = new MessagePackWriter(buffer);
            try
            {
                protocol.Codec.Write(ref writer, result);
                writer.Flush();
            }
            catch (Exception e) when (MessagePackValueCodec.IsDecodeFailure(e))
            {
                throw new RpcResultException($"The result ({TypeNames.Describe(typeof(T))}) cannot be written as msgpack: {e.Message}", e);
            }

            return new MessagePackRpcSuccessResponse(protocol, buffer.WrittenSpan.ToArray(), msgId, resultStart) { OwnsBytes = true };
        }
        finally
        {
            pooled.Return();
        }
    }

    // [1, msgid, nil, (the caller writes the result here).
    private static void WriteEnvelopeStart(Span<byte> destination, uint msgId)
    {
        destination[0] = 0x94;
        destination[1] = MessagePackRpcProtocol.ResponseType;
        int idSize = MessagePackWire.WriteInteger(destination[2..], msgId);
        destination[2 + idSize] = MessagePackWire.Nil;
    }
}
