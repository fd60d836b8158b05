using System.Buffers;
using System.Text;
using MessagePack;

namespace TinyRpc.Protocols;

/// <summary>
/// A MSGPACK-RPC request <c>[0, msgid, method, params]</c> or notification <c>[2, method, params]</c>
/// (tinyrpc's <c>MSGPACKRPCRequest</c>).
/// </summary>
public sealed class MessagePackRpcRequest : RpcRequest
{
    private readonly MessagePackRpcProtocol _protocol;
    private readonly ReadOnlyMemory<byte> _raw;
    private readonly ReadOnlyMemory<byte> _methodUtf8;
    private readonly uint? _msgId;
    private string? _method;
    private RpcArguments? _arguments;

    internal MessagePackRpcRequest(MessagePackRpcProtocol protocol, ReadOnlyMemory<byte> raw, uint? msgId,
        ReadOnlyMemory<byte> methodUtf8, string? method, RpcArguments? arguments)
    {
        _protocol = protocol;
        _raw = raw;
        _msgId = msgId;
        _methodUtf8 = methodUtf8;
        _method = method;
        _arguments = arguments;
    }

    /// <summary>The msgid (an unsigned 32-bit integer), or null for a notification.</summary>
    public uint? MessageId => _msgId;

    /// <inheritdoc/>
    public override RpcId Id => _msgId is { } id ? RpcId.FromNumber(id) : RpcId.None;

    /// <inheritdoc/>
    public override string Method => _method ??= Encoding.UTF8.GetString(_methodUtf8.Span);

    /// <inheritdoc/>
    public override ReadOnlySpan<byte> MethodUtf8 => _methodUtf8.Span;

    /// <inheritdoc/>
    public override bool OneWay => _msgId is null;

    /// <inheritdoc/>
    /// <remarks>Always positional: <see cref="RpcArguments.IsNamed"/> is false.</remarks>
    public override RpcArguments Arguments => _arguments ??= ((MessagePackRpcRequest)_protocol.ParseRequest(_raw)).Arguments;

    /// <inheritdoc/>
    public override ReadOnlyMemory<byte> Serialize() => _raw;

    /// <inheritdoc/>
    public override RpcResponse? Respond<T>(T result)
        => OneWay ? null : MessagePackRpcSuccessResponse.Create(_protocol, Id, result);

    /// <inheritdoc/>
    public override RpcResponse? Respond()
        => OneWay ? null : MessagePackRpcSuccessResponse.Create<object?>(_protocol, Id, null);

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
    private ArrayBufferWriter<byte>? _arguments = new(64);
    private int _count;

    public MessagePackRpcRequestBuilder(MessagePackRpcProtocol protocol, string method, bool oneWay)
    {
        _protocol = protocol;
        _method = method;
        _oneWay = oneWay;
    }

    private ArrayBufferWriter<byte> Arguments => _arguments ?? throw new InvalidOperationException("The request was already built.");

    public override RpcRequestBuilder Add<T>(T value)
    {
        var writer = new MessagePackWriter(Arguments);
        try
        {
            _protocol.Codec.Write(ref writer, value);
            writer.Flush();
        }
        catch
        {
            _arguments = null;
            throw;
        }

        _count++;
        return this;
    }

    public override RpcRequestBuilder Add<T>(string name, T value)
    {
        ArgumentNullException.ThrowIfNull(name);
        _arguments = null;
        throw MessagePackRpcProtocol.NoKeywordArguments(_protocol);
    }

    public override RpcRequest Build()
    {
        ArrayBufferWriter<byte> arguments = Arguments;
        _arguments = null;
        var buffer = new ArrayBufferWriter<byte>(arguments.WrittenCount + (3 * _method.Length) + 16);
        var writer = new MessagePackWriter(buffer);
        uint? msgId = _oneWay ? null : _protocol.NextId();
        writer.WriteArrayHeader(_oneWay ? 3 : 4);
        writer.Write(_oneWay ? MessagePackRpcProtocol.NotificationType : MessagePackRpcProtocol.RequestType);
        if (msgId is { } id)
        {
            writer.Write(id);
        }

        writer.Write(_method);
        writer.Flush();
        int methodEnd = buffer.WrittenCount;
        writer.WriteArrayHeader(_count);
        writer.WriteRaw(arguments.WrittenSpan);
        writer.Flush();

        ReadOnlyMemory<byte> raw = buffer.WrittenMemory;
        int methodLength = Encoding.UTF8.GetByteCount(_method);
        return new MessagePackRpcRequest(_protocol, raw, msgId, raw.Slice(methodEnd - methodLength, methodLength), _method, arguments: null);
    }
}
