using MessagePack;

namespace TinyRpc.Protocols;

/// <summary>
/// MSGPACK-RPC parameters as slices of the message: each value is decoded only when asked for, straight from
/// its bytes into the requested type. Always positional: the protocol has no keyword arguments.
/// </summary>
internal sealed class MessagePackRpcArguments : RpcArguments
{
    public static readonly MessagePackRpcArguments None = new(null, default, [], 0);

    private const byte Nil = 0xc0;

    private readonly MessagePackRpcProtocol? _protocol;
    private readonly ReadOnlyMemory<byte> _message;
    private readonly int[] _spans; // start, length pairs into _message
    private readonly int _count;

    private MessagePackRpcArguments(MessagePackRpcProtocol? protocol, ReadOnlyMemory<byte> message, int[] spans, int count)
    {
        _protocol = protocol;
        _message = message;
        _spans = spans;
        _count = count;
    }

    public override bool IsNamed => false;

    public override int Count => _count;

    public override string GetName(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_count, nameof(index));
        throw new InvalidOperationException("MSGPACK-RPC parameters are positional.");
    }

    public override bool Contains(string name) => false;

    public override bool IsNull(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_count, nameof(index));
        return _message.Span[_spans[2 * index]] == Nil;
    }

    public override bool TryGet<T>(int index, string parameterName, out T value)
    {
        if ((uint)index >= (uint)_count)
        {
            value = default!;
            return false;
        }

        try
        {
            value = _protocol!.Codec.Read<T>(GetRaw(index));
        }
        catch (Exception e) when (MessagePackValueCodec.IsDecodeFailure(e))
        {
            throw new InvalidParamsException(parameterName, $"cannot be read as {TypeNames.Describe(typeof(T))}: {e.Message}", e);
        }

        return true;
    }

    public override bool TryGet<T>(string name, out T value)
    {
        value = default!;
        return false;
    }

    /// <summary>The msgpack bytes of parameter <paramref name="index"/>.</summary>
    public ReadOnlyMemory<byte> GetRaw(int index) => _message.Slice(_spans[2 * index], _spans[(2 * index) + 1]);

    // Reads the params array of a validated message (the reader is on its header) and leaves the reader after it.
    public static MessagePackRpcArguments Read(MessagePackRpcProtocol protocol, ref MessagePackReader reader, ReadOnlyMemory<byte> message)
    {
        int count = reader.ReadArrayHeader(); // validated: no larger than the bytes that follow
        if (count == 0)
        {
            return None;
        }

        int[] spans = new int[2 * count];
        for (int i = 0; i < count; i++)
        {
            int start = (int)reader.Consumed;
            _ = MessagePackScanner.Skip(ref reader, protocol.MaxDepth);
            spans[2 * i] = start;
            spans[(2 * i) + 1] = (int)reader.Consumed - start;
        }

        return new MessagePackRpcArguments(protocol, message, spans, count);
    }
}
