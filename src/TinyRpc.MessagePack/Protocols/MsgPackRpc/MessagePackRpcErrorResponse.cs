using System.Buffers;
using System.Globalization;
using System.Text;
using MessagePack;
using TinyRpc.Exceptions;

namespace TinyRpc.Protocols.MsgPackRpc;

/// <summary>
/// A MSGPACK-RPC error response <c>[1, msgid, error, nil]</c> (tinyrpc's <c>MSGPACKRPCErrorResponse</c>).
/// TinyRpc writes the error as tinyrpc does, <c>[code, message]</c>; error data is not sent (the form has no
/// place for it). A received error of any other shape is kept whole: see <see cref="MessagePackRpcException"/>.
/// </summary>
public sealed class MessagePackRpcErrorResponse : RpcErrorResponse
{
    private const int MaxShownLength = 200;

    private readonly MessagePackRpcProtocol _protocol;
    private readonly ReadOnlyMemory<byte> _raw;
    private readonly RpcId _id;

    private MessagePackRpcErrorResponse(MessagePackRpcProtocol protocol, ReadOnlyMemory<byte> raw, RpcId id, int code, string message,
        ReadOnlyMemory<byte> error, bool isStandardForm)
    {
        _protocol = protocol;
        _raw = raw;
        _id = id;
        Code = code;
        Message = message;
        RawError = error;
        IsStandardForm = isStandardForm;
    }

    /// <inheritdoc/>
    public override RpcId Id => _id;

    /// <inheritdoc/>
    public override int Code { get; }

    /// <inheritdoc/>
    public override string Message { get; }

    /// <summary>True when the error object is <c>[code, message]</c>.</summary>
    public bool IsStandardForm { get; }

    /// <summary>The error object exactly as serialized.</summary>
    public ReadOnlyMemory<byte> RawError { get; }

    /// <summary>True when the error object is not <c>[code, message]</c>: the object itself is the data.</summary>
    public override bool HasData => !IsStandardForm;

    /// <inheritdoc/>
    public override ReadOnlyMemory<byte> Serialize() => _raw;

    /// <inheritdoc/>
    public override bool OwnsSerializedBytes => OwnsBytes;

    // True when the error was written here into an array of its own.
    internal bool OwnsBytes { get; init; }

    /// <inheritdoc/>
    public override T? GetData<T>() where T : default
    {
        try
        {
            return ToException().GetData<T>();
        }
        catch (InvalidCastException e)
        {
            throw new InvalidReplyException(e.Message, e.InnerException);
        }
    }

    /// <inheritdoc/>
    public override RpcException ToException() => new MessagePackRpcException(_protocol.Codec, Code, Message, RawError, IsStandardForm, _id);

    internal static MessagePackRpcErrorResponse Create(MessagePackRpcProtocol protocol, Exception error, RpcId id)
    {
        int code = error is RpcException rpc ? rpc.Code : RpcErrorCodes.ServerError;
        string message = error.Message;
        PooledMessagePackBuffer pooled = PooledMessagePackBuffer.Rent();
        try
        {
            ArrayBufferWriter<byte> buffer = pooled.Buffer;
            var writer = new MessagePackWriter(buffer);
            MessagePackRpcResponse.WriteEnvelopeStart(ref writer, id);
            writer.Flush();
            int errorStart = buffer.WrittenCount;
            bool standard = true;
            if (error is MessagePackRpcException { IsStandardForm: false } remote)
            {
                writer.WriteRaw(remote.RawError.Span); // relayed as received
                standard = false;
            }
            else
            {
                writer.WriteArrayHeader(2);
                writer.Write(code);
                writer.Write(message);
            }

            writer.Flush();
            int errorEnd = buffer.WrittenCount;
            writer.WriteNil();
            writer.Flush();
            ReadOnlyMemory<byte> raw = buffer.WrittenSpan.ToArray();
            return new MessagePackRpcErrorResponse(protocol, raw, id, code, message, raw[errorStart..errorEnd], standard) { OwnsBytes = true };
        }
        finally
        {
            pooled.Return();
        }
    }

    // The error object of a validated reply: [code, message] as tinyrpc writes it, or anything else.
    internal static MessagePackRpcErrorResponse Read(MessagePackRpcProtocol protocol, ReadOnlyMemory<byte> raw, RpcId id, ReadOnlyMemory<byte> error)
    {
        var reader = new MessagePackReader(error);
        if (reader.NextMessagePackType == MessagePackType.Array && reader.ReadArrayHeader() == 2
            && reader.NextMessagePackType == MessagePackType.Integer && TryReadInt32(ref reader, out int code)
            && reader.NextMessagePackType == MessagePackType.String)
        {
            return new MessagePackRpcErrorResponse(protocol, raw, id, code, reader.ReadString()!, error, isStandardForm: true);
        }

        reader = new MessagePackReader(error);
        string message = reader.NextMessagePackType == MessagePackType.String
            ? reader.ReadString()!
            : "The server sent an error object that is not [code, message]: " + Show(error);
        return new MessagePackRpcErrorResponse(protocol, raw, id, RpcErrorCodes.ServerError, message, error, isStandardForm: false);
    }

    private static bool TryReadInt32(ref MessagePackReader reader, out int value)
    {
        if (MessagePackRpcProtocol.TryReadInteger(ref reader, out long v) && v is >= int.MinValue and <= int.MaxValue)
        {
            value = (int)v;
            return true;
        }

        value = 0;
        return false;
    }

    // A short, readable rendering of a validated msgpack value for error messages.
    private static string Show(ReadOnlyMemory<byte> value)
    {
        var text = new StringBuilder();
        var reader = new MessagePackReader(value);
        Show(ref reader, text, 0);
        return text.Length > MaxShownLength ? string.Concat(text.ToString(0, MaxShownLength), "...") : text.ToString();
    }

    private static void Show(ref MessagePackReader reader, StringBuilder text, int depth)
    {
        if (text.Length > MaxShownLength || depth > 8)
        {
            MessagePackScanner.Skip(ref reader, int.MaxValue / 2);
            text.Append("...");
            return;
        }

        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Nil:
                reader.ReadNil();
                text.Append("nil");
                break;
            case MessagePackType.Boolean:
                text.Append(reader.ReadBoolean() ? "true" : "false");
                break;
            case MessagePackType.Integer:
                text.Append(MessagePackRpcProtocol.TryReadInteger(ref reader, out long n)
                    ? n.ToString(CultureInfo.InvariantCulture)
                    : reader.ReadUInt64().ToString(CultureInfo.InvariantCulture));
                break;
            case MessagePackType.Float:
                text.Append(reader.ReadDouble().ToString("R", CultureInfo.InvariantCulture));
                break;
            case MessagePackType.String:
                text.Append('"').Append(reader.ReadString()).Append('"');
                break;
            case MessagePackType.Array or MessagePackType.Map:
            {
                bool map = reader.NextMessagePackType == MessagePackType.Map;
                int count = map ? reader.ReadMapHeader() : reader.ReadArrayHeader();
                text.Append(map ? '{' : '[');
                for (int i = 0; i < count; i++)
                {
                    text.Append(i == 0 ? "" : ", ");
                    Show(ref reader, text, depth + 1);
                    if (map)
                    {
                        text.Append(": ");
                        Show(ref reader, text, depth + 1);
                    }
                }

                text.Append(map ? '}' : ']');
                break;
            }

            default:
                text.Append('<').Append(MessagePackValueCodec.Describe(reader.NextMessagePackType)).Append('>');
                reader.Skip();
                break;
        }
    }
}
