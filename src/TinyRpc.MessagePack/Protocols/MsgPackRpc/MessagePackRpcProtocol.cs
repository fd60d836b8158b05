using System.Buffers.Binary;
using System.Globalization;
using MessagePack;
using TinyRpc.Exceptions;

namespace TinyRpc.Protocols.MsgPackRpc;

/// <summary>
/// MSGPACK-RPC (tinyrpc's <c>MSGPACKRPCProtocol</c>): request <c>[0, msgid, method, params]</c>, response
/// <c>[1, msgid, error, result]</c>, notification <c>[2, method, params]</c>. Parameters are positional only
/// (nil params are read as no parameters, like JSON-RPC's <c>"params": null</c>);
/// errors travel as tinyrpc writes them, <c>[code, message]</c> with the JSON-RPC error codes.
/// Requests and replies in the form TinyRpc and tinyrpc write are read in one pass that checks every byte as it
/// goes; anything else is checked whole first, so that the error says what is wrong. Parameters stay as msgpack
/// until the dispatcher asks for them typed.
/// </summary>
/// <remarks>
/// <para>
/// The msgid is an unsigned 32-bit integer; <see cref="NextId"/> counts up and wraps to 0 after
/// <see cref="uint.MaxValue"/>. A request whose msgid is not such an integer is an invalid request.
/// </para>
/// <para>
/// A reply <c>[1, msgid, nil, nil]</c> is a success with a nil result (what a method that returns nothing
/// sends). A reply whose error is not <c>[code, message]</c> (a string, a map, anything) becomes an error with
/// code <see cref="RpcErrorCodes.ServerError"/>; see <see cref="MessagePackRpcException"/>. A reply with both an
/// error and a result is invalid, as in tinyrpc. A reply to an unreadable request may have a nil msgid.
/// </para>
/// <para>
/// No reflection on the request path: user types go through the resolver of
/// <see cref="MessagePackRpcProtocolOptions.SerializerOptions"/> (see there for NativeAOT).
/// </para>
/// </remarks>
public sealed partial class MessagePackRpcProtocol : RpcProtocol
{
    internal const int RequestType = 0;
    internal const int ResponseType = 1;
    internal const int NotificationType = 2;

    /// <inheritdoc/>
    /// <remarks>By the type in the envelope: 0 (request) and 2 (notification) are requests, 1 a reply.</remarks>
    public override RpcMessageKind Classify(ReadOnlySpan<byte> message)
        => message.Length < 2 ? RpcMessageKind.Unknown : (message[0], message[1]) switch
        {
            (0x94, RequestType) => RpcMessageKind.Request,
            (0x93, NotificationType) => RpcMessageKind.Notification,
            (0x94, ResponseType) => RpcMessageKind.Reply,
            _ => RpcMessageKind.Unknown,
        };

    internal static readonly MessagePackRpcProtocol Shared = new();

    private int _lastId;

    /// <summary>Creates the protocol with default settings (built-in formatters only).</summary>
    public MessagePackRpcProtocol()
        : this(new MessagePackRpcProtocolOptions())
    {
    }

    /// <summary>Creates the protocol whose values go through the resolver of <paramref name="serializerOptions"/>.</summary>
    public MessagePackRpcProtocol(MessagePackSerializerOptions serializerOptions)
        : this(new MessagePackRpcProtocolOptions { SerializerOptions = serializerOptions })
    {
    }

    /// <summary>Creates the protocol with the given settings.</summary>
    public MessagePackRpcProtocol(MessagePackRpcProtocolOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxDepth, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxMessageSize, 1);
        MaxDepth = options.MaxDepth;
        MaxMessageSize = options.MaxMessageSize;
        Codec = new MessagePackValueCodec(options.SerializerOptions, MaxDepth);
    }

    /// <inheritdoc/>
    public override string Name => "msgpackrpc";

    /// <inheritdoc/>
    public override string ContentType => "application/msgpack";

    /// <summary>True: responses carry the msgid of their request, so they can be matched in any order.</summary>
    public override bool SupportsOutOfOrder => true;

    /// <summary>The deepest nesting of arrays and maps accepted in a message.</summary>
    public int MaxDepth { get; }

    /// <summary>The largest message accepted, in bytes.</summary>
    public int MaxMessageSize { get; }

    /// <summary>The effective serializer options (the user's resolver first, then the built-in ones; untrusted-data security).</summary>
    public MessagePackSerializerOptions SerializerOptions => Codec.Options;

    internal MessagePackValueCodec Codec { get; }

    /// <summary>Returns a new msgid: 1, 2, ... wrapping from <see cref="uint.MaxValue"/> to 0. Safe to call from many threads.</summary>
    public uint NextId() => unchecked((uint)Interlocked.Increment(ref _lastId));

    /// <summary>Makes <paramref name="last"/> the last msgid handed out (for tests of the wrap).</summary>
    internal void SetLastId(uint last) => Volatile.Write(ref _lastId, unchecked((int)last));

    /// <inheritdoc/>
    public override RpcRequestBuilder CreateRequestBuilder(string method, bool oneWay = false)
    {
        ArgumentNullException.ThrowIfNull(method);
        return new MessagePackRpcRequestBuilder(this, method, oneWay);
    }

    /// <inheritdoc/>
    /// <exception cref="MessagePackRpcInvalidRequestException"><paramref name="kwargs"/> holds values: MSGPACK-RPC has no keyword arguments.</exception>
    public override RpcRequest CreateRequest(string method, IEnumerable<object?>? args = null,
        IEnumerable<KeyValuePair<string, object?>>? kwargs = null, bool oneWay = false)
    {
        if (kwargs is not null)
        {
            using IEnumerator<KeyValuePair<string, object?>> any = kwargs.GetEnumerator();
            if (any.MoveNext())
            {
                throw NoKeywordArguments(this);
            }
        }

        return base.CreateRequest(method, args, null, oneWay);
    }

    /// <inheritdoc/>
    /// <remarks>MSGPACK-RPC has no named parameters: the id goes alone, by position (<c>[2, "$/cancelRequest", [id]]</c>).</remarks>
    public override RpcRequest CreateCancelRequest(RpcId id)
    {
        RpcRequestBuilder builder = CreateRequestBuilder(CancelRequestMethod, oneWay: true);
        return (id.Kind == RpcIdKind.String ? builder.Add(id.Text) : builder.Add(id.Number)).Build();
    }

    /// <inheritdoc/>
    public override RpcErrorResponse CreateErrorResponse(Exception exception, RpcId id = default)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return MessagePackRpcErrorResponse.Create(this, exception, id.IsNone ? RpcId.Null : id);
    }

    /// <inheritdoc/>
    /// <exception cref="MessagePackRpcParseException">
    /// The message is empty, too large, truncated, not msgpack, has invalid UTF-8 in a string, nests deeper than
    /// <see cref="MaxDepth"/>, or has bytes after its end.
    /// </exception>
    /// <exception cref="MessagePackRpcInvalidRequestException">The message is msgpack but not a request or notification.</exception>
    public override RpcMessage ParseRequest(ReadOnlyMemory<byte> data)
        => TryParseRequest(data) ?? ParseRequestSlowly(data);

    /// <summary>
    /// Reads a request or notification in the form TinyRpc and tinyrpc write (fixed-size envelope, the type and a
    /// msgid as unsigned integers), checking every byte as it goes. Null for anything else, well-formed or not:
    /// <see cref="ParseRequestSlowly"/> then accepts it or says what is wrong.
    /// </summary>
    internal MessagePackRpcRequest? TryParseRequest(ReadOnlyMemory<byte> data)
    {
        ReadOnlySpan<byte> span = data.Span;
        if (span.Length < 4 || span.Length > MaxMessageSize)
        {
            return null;
        }

        int pos = 2;
        uint? msgId = null;
        if (span[0] == 0x94 && span[1] == RequestType)
        {
            if (!TryReadUInt32(span, ref pos, out uint id))
            {
                return null;
            }

            msgId = id;
        }
        else if (span[0] != 0x93 || span[1] != NotificationType)
        {
            return null;
        }

        if (!TryReadStringHeader(span, ref pos, out int methodLength) || !MessagePackScanner.IsUtf8(span.Slice(pos, methodLength)))
        {
            return null;
        }

        int methodStart = pos;
        pos += methodLength;
        if (!TryReadArrayHeader(span, ref pos, out int count))
        {
            return null;
        }

        MessagePackRpcArguments? arguments = MessagePackRpcArguments.TryRead(this, span, ref pos, count);
        return arguments is not null && pos == span.Length
            ? new MessagePackRpcRequest(this, data, msgId, methodStart, methodLength, method: null, arguments)
            : null;
    }

    /// <summary>Any request, checked whole first; the exception says what is wrong.</summary>
    internal RpcMessage ParseRequestSlowly(ReadOnlyMemory<byte> data)
    {
        if (CheckMessage(data) is { } problem)
        {
            throw new MessagePackRpcParseException(problem) { RequestId = RpcId.Null };
        }

        var reader = new MessagePackReader(data);
        if (reader.NextMessagePackType != MessagePackType.Array)
        {
            throw InvalidRequest($"A message must be an array, not {Describe(ref reader)}.", RpcId.Null);
        }

        int length = reader.ReadArrayHeader();
        if (length == 0 || !TryReadInteger(ref reader, out long type))
        {
            throw InvalidRequest("A message must start with its type: 0 for a request, 2 for a notification.", RpcId.Null);
        }

        string? shape = (type, length) switch
        {
            (RequestType, 4) or (NotificationType, 3) => null,
            (RequestType, _) => "A request [0, msgid, method, params] has 4 elements",
            (NotificationType, _) => "A notification [2, method, params] has 3 elements",
            (ResponseType, _) => "The message is a response, not a request",
            _ => "The message type must be 0 (request) or 2 (notification)",
        };
        if (shape is not null)
        {
            throw InvalidRequest(string.Create(CultureInfo.InvariantCulture, $"{shape}; got type {type} with {length} elements."), RpcId.Null);
        }

        uint? msgId = null;
        if (type == RequestType)
        {
            msgId = TryReadMsgId(ref reader)
                ?? throw InvalidRequest($"The msgid must be an unsigned 32-bit integer, not {DescribeMsgId(ref reader)}.", RpcId.Null);
        }

        RpcId id = msgId is { } n ? RpcId.FromNumber(n) : RpcId.Null;
        if (reader.NextMessagePackType != MessagePackType.String)
        {
            throw InvalidRequest($"The method must be a string, not {Describe(ref reader)}.", id);
        }

        int methodLength = (int)reader.ReadStringSequence()!.Value.Length;
        int methodStart = (int)reader.Consumed - methodLength;

        if (reader.NextMessagePackType == MessagePackType.Map)
        {
            throw InvalidRequest("The params must be an array: MSGPACK-RPC has no keyword arguments.", id);
        }

        MessagePackRpcArguments arguments;
        if (reader.TryReadNil())
        {
            // Read as "no parameters", like JSON-RPC's "params": null.
            arguments = MessagePackRpcArguments.None;
        }
        else if (reader.NextMessagePackType != MessagePackType.Array)
        {
            throw InvalidRequest($"The params must be an array or nil, not {Describe(ref reader)}.", id);
        }
        else
        {
            arguments = MessagePackRpcArguments.Read(this, ref reader);
        }

        return new MessagePackRpcRequest(this, data, msgId, methodStart, methodLength, method: null, arguments);
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidReplyException">The message is not valid msgpack or not a MSGPACK-RPC response.</exception>
    public override RpcMessage ParseReply(ReadOnlyMemory<byte> data)
        => TryParseReply(data) ?? ParseReplySlowly(data);

    /// <summary>
    /// Reads a success reply in the form TinyRpc and tinyrpc write, checking every byte as it goes. Null for
    /// anything else (errors among them): <see cref="ParseReplySlowly"/> then reads it or says what is wrong.
    /// </summary>
    internal MessagePackRpcSuccessResponse? TryParseReply(ReadOnlyMemory<byte> data)
    {
        ReadOnlySpan<byte> span = data.Span;
        if (span.Length < 5 || span.Length > MaxMessageSize || span[0] != 0x94 || span[1] != ResponseType)
        {
            return null;
        }

        int pos = 2;
        uint? msgId = null;
        if (span[pos] == MessagePackWire.Nil)
        {
            pos++;
        }
        else if (TryReadUInt32(span, ref pos, out uint id))
        {
            msgId = id;
        }
        else
        {
            return null;
        }

        if (pos >= span.Length || span[pos] != MessagePackWire.Nil)
        {
            return null;
        }

        int resultStart = ++pos;
        return MessagePackScanner.TrySkip(span, ref pos, 1, MaxDepth) && pos == span.Length
            ? new MessagePackRpcSuccessResponse(this, data, msgId, resultStart)
            : null;
    }

    /// <summary>Any reply, checked whole first; the exception says what is wrong.</summary>
    internal RpcMessage ParseReplySlowly(ReadOnlyMemory<byte> data)
    {
        if (CheckMessage(data) is { } problem)
        {
            throw new InvalidReplyException("The reply is not valid msgpack: " + problem);
        }

        var reader = new MessagePackReader(data);
        if (reader.NextMessagePackType != MessagePackType.Array || reader.ReadArrayHeader() != 4
            || !TryReadInteger(ref reader, out long type) || type != ResponseType)
        {
            throw new InvalidReplyException("A reply must be an array [1, msgid, error, result].");
        }

        uint? msgId = null;
        if (!reader.TryReadNil())
        {
            msgId = TryReadMsgId(ref reader)
                ?? throw new InvalidReplyException($"The msgid of a reply must be an unsigned 32-bit integer, not {DescribeMsgId(ref reader)}.");
        }

        RpcId id = msgId is { } n ? RpcId.FromNumber(n) : RpcId.Null;
        ReadOnlyMemory<byte> error = ReadValue(ref reader, data);
        int resultStart = (int)reader.Consumed;
        ReadOnlyMemory<byte> result = ReadValue(ref reader, data);
        bool hasError = error.Span[0] != MessagePackCode.Nil;
        if (hasError && result.Span[0] != MessagePackCode.Nil)
        {
            throw new InvalidReplyException("A reply must not carry both an error and a result.");
        }

        return hasError
            ? MessagePackRpcErrorResponse.Read(this, data, id, error)
            : new MessagePackRpcSuccessResponse(this, data, msgId, resultStart);
    }

    internal static MessagePackRpcInvalidRequestException NoKeywordArguments(MessagePackRpcProtocol protocol)
        => new("MSGPACK-RPC does not support keyword arguments.");

    /// <summary>Reads an integer of any msgpack width without consuming it when it exceeds <see cref="long"/> (or is not an integer).</summary>
    internal static bool TryReadInteger(ref MessagePackReader reader, out long value)
    {
        value = 0;
        if (reader.NextMessagePackType != MessagePackType.Integer)
        {
            return false;
        }

        if (reader.NextCode == MessagePackCode.UInt64)
        {
            MessagePackReader peek = reader.CreatePeekReader();
            if (peek.ReadUInt64() > long.MaxValue)
            {
                return false;
            }
        }

        value = reader.ReadInt64();
        return true;
    }

    // A positive fixint or uint 8, 16 or 32, as msgids are written.
    internal static bool TryReadUInt32(ReadOnlySpan<byte> span, ref int pos, out uint value)
    {
        value = 0;
        if ((uint)pos >= (uint)span.Length)
        {
            return false;
        }

        byte code = span[pos];
        int width = code switch { <= 0x7f => 0, 0xcc => 1, 0xcd => 2, 0xce => 4, _ => -1 };
        if (width < 0 || width >= span.Length - pos)
        {
            return false;
        }

        ReadOnlySpan<byte> bytes = span.Slice(pos + 1, width);
        value = width switch
        {
            0 => code,
            1 => bytes[0],
            2 => BinaryPrimitives.ReadUInt16BigEndian(bytes),
            _ => BinaryPrimitives.ReadUInt32BigEndian(bytes),
        };
        pos += 1 + width;
        return true;
    }

    // A str header whose bytes all follow.
    internal static bool TryReadStringHeader(ReadOnlySpan<byte> span, ref int pos, out int length)
    {
        length = 0;
        if ((uint)pos >= (uint)span.Length)
        {
            return false;
        }

        byte code = span[pos];
        int width = code switch { >= 0xa0 and <= 0xbf => 0, 0xd9 => 1, 0xda => 2, 0xdb => 4, _ => -1 };
        if (width < 0 || width >= span.Length - pos)
        {
            return false;
        }

        ReadOnlySpan<byte> bytes = span.Slice(pos + 1, width);
        long value = width switch
        {
            0 => code & 0x1f,
            1 => bytes[0],
            2 => BinaryPrimitives.ReadUInt16BigEndian(bytes),
            _ => BinaryPrimitives.ReadUInt32BigEndian(bytes),
        };
        if (value > span.Length - pos - 1 - width)
        {
            return false;
        }

        pos += 1 + width;
        length = (int)value;
        return true;
    }

    // An array header that claims no more elements than bytes follow.
    private static bool TryReadArrayHeader(ReadOnlySpan<byte> span, ref int pos, out int count)
    {
        count = 0;
        if ((uint)pos >= (uint)span.Length)
        {
            return false;
        }

        byte code = span[pos];
        int width = code switch { >= 0x90 and <= 0x9f => 0, 0xdc => 2, 0xdd => 4, _ => -1 };
        if (width < 0 || width >= span.Length - pos)
        {
            return false;
        }

        ReadOnlySpan<byte> bytes = span.Slice(pos + 1, width);
        long value = width switch
        {
            0 => code & 0x0f,
            2 => BinaryPrimitives.ReadUInt16BigEndian(bytes),
            _ => BinaryPrimitives.ReadUInt32BigEndian(bytes),
        };
        if (value > span.Length - pos - 1 - width)
        {
            return false;
        }

        pos += 1 + width;
        count = (int)value;
        return true;
    }

    private static uint? TryReadMsgId(ref MessagePackReader reader)
    {
        MessagePackReader peek = reader.CreatePeekReader();
        if (TryReadInteger(ref peek, out long value) && value is >= 0 and <= uint.MaxValue)
        {
            reader = peek;
            return (uint)value;
        }

        return null;
    }

    private string? CheckMessage(ReadOnlyMemory<byte> data)
    {
        if (data.IsEmpty)
        {
            return "The message is empty.";
        }

        if (data.Length > MaxMessageSize)
        {
            return string.Create(CultureInfo.InvariantCulture, $"The message has {data.Length} bytes; at most {MaxMessageSize} are allowed.");
        }

        return MessagePackScanner.Validate(data, MaxDepth);
    }

    // One value of a validated message, as a slice.
    private ReadOnlyMemory<byte> ReadValue(ref MessagePackReader reader, ReadOnlyMemory<byte> data)
    {
        int start = (int)reader.Consumed;
        _ = MessagePackScanner.Skip(ref reader, MaxDepth);
        return data[start..(int)reader.Consumed];
    }

    private static string Describe(ref MessagePackReader reader) => MessagePackValueCodec.Describe(reader.NextMessagePackType);

    private static string DescribeMsgId(ref MessagePackReader reader)
        => reader.NextMessagePackType == MessagePackType.Integer ? "an integer outside 0 to 4294967295" : Describe(ref reader);

    private static MessagePackRpcInvalidRequestException InvalidRequest(string detail, RpcId id)
        => new(detail) { RequestId = id };
}
