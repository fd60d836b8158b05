using MessagePack;

namespace TinyRpc.Protocols.MsgPackRpc;

/// <summary>The base of MSGPACK-RPC responses <c>[1, msgid, error, result]</c>: the serialized message and the id it answers.</summary>
public abstract class MessagePackRpcResponse : RpcResponse
{
    private readonly uint _msgId;
    private readonly bool _hasMsgId;
    private readonly byte _bodyStart; // after [1, msgid, : a few bytes in any encoding (kept here, not in a subclass, to keep the object small)

    private protected MessagePackRpcResponse(MessagePackRpcProtocol protocol, ReadOnlyMemory<byte> raw, uint? msgId, int bodyStart)
    {
        Protocol = protocol;
        Raw = raw;
        _msgId = msgId.GetValueOrDefault();
        _hasMsgId = msgId.HasValue;
        _bodyStart = checked((byte)bodyStart);
    }

    private protected MessagePackRpcProtocol Protocol { get; }

    private protected ReadOnlyMemory<byte> Raw { get; }

    /// <summary>Where the part after the envelope's start begins: for a success, the result.</summary>
    private protected int BodyStart => _bodyStart;

    /// <inheritdoc/>
    /// <remarks>The msgid, or <see cref="RpcId.Null"/> when the reply carries a nil msgid.</remarks>
    public override RpcId Id => _hasMsgId ? RpcId.FromNumber(_msgId) : RpcId.Null;

    /// <inheritdoc/>
    public override ReadOnlyMemory<byte> Serialize() => Raw;

    /// <inheritdoc/>
    public override bool OwnsSerializedBytes => OwnsBytes;

    // True when the response was written here into an array of its own; a parsed reply's bytes belong to whoever passed them in.
    internal bool OwnsBytes { get; init; }

    // [1, msgid, — the msgid is nil when the request's could not be read.
    internal static void WriteEnvelopeStart(ref MessagePackWriter writer, RpcId id)
    {
        writer.WriteArrayHeader(4);
        writer.Write(MessagePackRpcProtocol.ResponseType);
        if (id.Kind == RpcIdKind.Number)
        {
            writer.Write(checked((uint)id.Number));
        }
        else
        {
            writer.WriteNil();
        }
    }
}
