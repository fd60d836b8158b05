using System.Buffers;
using System.Text;
using MessagePack;

namespace TinyRpc.Protocols.MsgPackRpc;

/// <summary>
/// A MSGPACK-RPC request <c>[0, msgid, method, params]</c> or notification <c>[2, method, params]</c>
/// (tinyrpc's <c>MSGPACKRPCRequest</c>).
/// </summary>
public sealed class MessagePackRpcRequest : RpcRequest
{
    private readonly MessagePackRpcProtocol _protocol;
    private readonly ReadOnlyMemory<byte> _raw;
    private readonly int _methodStart;
    private readonly int _methodLength;
    private readonly uint _msgId;
    private readonly bool _hasMsgId;
    private string? _method;
    private RpcArguments? _arguments;

    internal MessagePackRpcRequest(MessagePackRpcProtocol protocol, ReadOnlyMemory<byte> raw, uint? msgId,
        int methodStart, int methodLength, string? method, RpcArguments? arguments)
    {
        _protocol = protocol;
        _raw = raw;
        _msgId = msgId.GetValueOrDefault();
        _hasMsgId = msgId.HasValue;
        _methodStart = methodStart;
        _methodLength = methodLength;
        _method = method;
        _arguments = arguments;
        (arguments as MessagePackRpcArguments)?.Attach(this);
    }

    internal MessagePackRpcProtocol Protocol => _protocol;

    internal ReadOnlyMemory<byte> Raw => _raw;

    /// <summary>The msgid (an unsigned 32-bit integer), or null for a notification.</summary>
    public uint? MessageId => _hasMsgId ? _msgId : null;

    /// <inheritdoc/>
    public override RpcId Id => _hasMsgId ? RpcId.FromNumber(_msgId) : RpcId.None;

    /// <inheritdoc/>
    public override string Method => _method ??= Encoding.UTF8.GetString(MethodUtf8);

    /// <inheritdoc/>
    public override ReadOnlySpan<byte> MethodUtf8 => _raw.Span.Slice(_methodStart, _methodLength);

    /// <inheritdoc/>
    public override bool OneWay => !_hasMsgId;

    /// <inheritdoc/>
    /// <remarks>Always positional: <see cref="RpcArguments.IsNamed"/> is false.</remarks>
    public override RpcArguments Arguments => _arguments ??= ((MessagePackRpcRequest)_protocol.ParseRequest(_raw)).Arguments;

    /// <inheritdoc/>
    public override ReadOnlyMemory<byte> Serialize() => _raw;

    /// <inheritdoc/>
    public override bool OwnsSerializedBytes => OwnsBytes;

    // True when the request was built here into an array of its own; a parsed request's bytes belong to whoever passed them in.
    internal bool OwnsBytes { get; init; }

    /// <inheritdoc/>
    public override RpcResponse? Respond<T>(T result)
        => _hasMsgId ? MessagePackRpcSuccessResponse.Create(_protocol, _msgId, result) : null;

    /// <inheritdoc/>
    public override RpcResponse? Respond()
        => _hasMsgId ? MessagePackRpcSuccessResponse.Create<object?>(_protocol, _msgId, null) : null;

    /// <inheritdoc/>
    public override RpcErrorResponse? ErrorRespond(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return OneWay ? null : MessagePackRpcErrorResponse.Create(_protocol, exception, Id);
    }
}

internal sealed class MessagePackRpcRequestBuilder : RpcRequestBuilder
{
    private readonly MessagePackRpcProtocol _protocol;
    private readonly string _method;
    private readonly bool _oneWay;
    private PooledMessagePackBuffer? _arguments; // the parameters written so far; the envelope goes in front at Build
    private int _count;

    public MessagePackRpcRequestBuilder(MessagePackRpcProtocol protocol, string method, bool oneWay)
    {
        _protocol = protocol;
        _method = method;
        _oneWay = oneWay;
        _arguments = PooledMessagePackBuffer.Rent();
    }

    private PooledMessagePackBuffer Arguments => _arguments ?? throw new InvalidOperationException("The request was already built.");

    public override RpcRequestBuilder Add<T>(T value)
    {
        ArrayBufferWriter<byte> buffer = Arguments.Buffer;
        int size = MessagePackValueCodec.DirectSize(value);
        if (size >= 0)
        {
            MessagePackValueCodec.WriteDirect(buffer.GetSpan(size)[..size], value);
            buffer.Advance(size);
        }
        else
        {
            var writer = new MessagePackWriter(buffer);
            try
            {
                _protocol.Codec.Write(ref writer, value);
                writer.Flush();
            }
            catch
            {
                Abandon();
                throw;
            }
        }

        _count++;
        return this;
    }

    public override RpcRequestBuilder Add<T>(string name, T value)
    {
        ArgumentNullException.ThrowIfNull(name);
        Abandon();
        throw MessagePackRpcProtocol.NoKeywordArguments(_protocol);
    }

    public override RpcRequest Build()
    {
        PooledMessagePackBuffer arguments = Arguments;
        try
        {
            // [0, msgid, method, [arguments]] or [2, method, [arguments]] in an array of its exact size.
            uint? msgId = _oneWay ? null : _protocol.NextId();
            int methodLength = Encoding.UTF8.GetByteCount(_method);
            int size = 2 + (msgId is { } n ? MessagePackWire.IntegerSize(n) : 0) + MessagePackWire.StringHeaderSize(methodLength) + methodLength
                + MessagePackWire.ArrayHeaderSize(_count) + arguments.Buffer.WrittenCount;
            byte[] bytes = new byte[size];
            Span<byte> span = bytes;
            span[0] = _oneWay ? (byte)0x93 : (byte)0x94;
            span[1] = _oneWay ? (byte)MessagePackRpcProtocol.NotificationType : (byte)MessagePackRpcProtocol.RequestType;
            int pos = 2;
            if (msgId is { } id)
            {
                pos += MessagePackWire.WriteInteger(span[pos..], id);
            }

            pos += MessagePackWire.WriteString(span[pos..], _method, methodLength);
            int methodEnd = pos;
            pos += MessagePackWire.WriteArrayHeader(span[pos..], _count);
            arguments.Buffer.WrittenSpan.CopyTo(span[pos..]);
            return new MessagePackRpcRequest(_protocol, bytes, msgId, methodEnd - methodLength, methodLength, _method, arguments: null) { OwnsBytes = true };
        }
        finally
        {
            Abandon();
        }
    }

    private void Abandon()
    {
        _arguments?.Return();
        _arguments = null;
    }
}
