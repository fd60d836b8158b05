using System.Buffers;
using System.Runtime.CompilerServices;
using MessagePack;
using TinyRpc.Exceptions;

namespace TinyRpc.Protocols.MsgPackRpc;

/// <summary>
/// MSGPACK-RPC parameters as slices of the message: each value is decoded only when asked for, straight from
/// its bytes into the requested type. Always positional: the protocol has no keyword arguments.
/// </summary>
internal sealed class MessagePackRpcArguments : RpcArguments
{
    public static readonly MessagePackRpcArguments None = new(0, null);

    private const byte Nil = 0xc0;
    private const int InlineCount = 4;

    private readonly int _count;
    private MessagePackRpcRequest? _request; // the message and protocol, set once by the request that holds these parameters
    private readonly int[]? _boundaries; // where each parameter starts and where the last one ends
    private InlineBoundaries _inline; // the same without a second object, for up to InlineCount parameters in a message under 64 KiB

    private MessagePackRpcArguments(int count, int[]? boundaries)
    {
        _count = count;
        _boundaries = boundaries;
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
        return _request!.Raw.Span[Start(index)] == Nil;
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
            value = _request!.Protocol.Codec.Read<T>(GetRaw(index));
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

    /// <summary>Binds parameters just read to the request made from the same message.</summary>
    public void Attach(MessagePackRpcRequest request)
    {
        if (_count > 0)
        {
            _request = request;
        }
    }

    /// <summary>The msgpack bytes of parameter <paramref name="index"/>.</summary>
    public ReadOnlyMemory<byte> GetRaw(int index)
    {
        return _request!.Raw[Start(index)..Start(index + 1)];
    }

    private int Start(int index) => _boundaries is { } boundaries ? boundaries[index] : _inline[index];

    /// <summary>
    /// Reads <paramref name="count"/> parameters that start at <paramref name="position"/>, checking each as it
    /// goes (see <see cref="MessagePackScanner.TrySkip"/>: the params array is the second level). Null when one
    /// is malformed; nothing is allocated then.
    /// </summary>
    public static MessagePackRpcArguments? TryRead(MessagePackRpcProtocol protocol, ReadOnlySpan<byte> data, ref int position, int count)
    {
        if (count == 0)
        {
            return None;
        }

        if (count <= InlineCount && data.Length <= ushort.MaxValue)
        {
            Span<int> found = stackalloc int[InlineCount + 1];
            if (!TrySkipAll(data, ref position, protocol.MaxDepth, found[..(count + 1)]))
            {
                return null;
            }

            var arguments = new MessagePackRpcArguments(count, null);
            for (int i = 0; i <= count; i++)
            {
                arguments._inline[i] = (ushort)found[i];
            }

            return arguments;
        }

        // The count is at most the bytes left; still, the offsets grow only with the parameters actually found.
        int[] offsets = ArrayPool<int>.Shared.Rent(Math.Min(count + 1, 64));
        try
        {
            for (int i = 0; i < count; i++)
            {
                if (i == offsets.Length - 1)
                {
                    int[] larger = ArrayPool<int>.Shared.Rent(Math.Min(count + 1, 2 * offsets.Length));
                    offsets.AsSpan(0, i).CopyTo(larger);
                    ArrayPool<int>.Shared.Return(offsets);
                    offsets = larger;
                }

                offsets[i] = position;
                if (!MessagePackScanner.TrySkip(data, ref position, 2, protocol.MaxDepth))
                {
                    return null;
                }
            }

            offsets[count] = position;
            return new MessagePackRpcArguments(count, offsets.AsSpan(0, count + 1).ToArray());
        }
        finally
        {
            ArrayPool<int>.Shared.Return(offsets);
        }
    }

    // Reads the params array of a validated message (the reader is on its header) and leaves the reader after it.
    public static MessagePackRpcArguments Read(MessagePackRpcProtocol protocol, ref MessagePackReader reader)
    {
        int count = reader.ReadArrayHeader(); // validated: no larger than the bytes that follow
        if (count == 0)
        {
            return None;
        }

        int[] boundaries = new int[count + 1];
        for (int i = 0; i < count; i++)
        {
            boundaries[i] = (int)reader.Consumed;
            _ = MessagePackScanner.Skip(ref reader, protocol.MaxDepth);
        }

        boundaries[count] = (int)reader.Consumed;
        return new MessagePackRpcArguments(count, boundaries);
    }

    private static bool TrySkipAll(ReadOnlySpan<byte> data, ref int position, int maxDepth, Span<int> boundaries)
    {
        int count = boundaries.Length - 1;
        for (int i = 0; i < count; i++)
        {
            boundaries[i] = position;
            if (!MessagePackScanner.TrySkip(data, ref position, 2, maxDepth))
            {
                return false;
            }
        }

        boundaries[count] = position;
        return true;
    }

    [InlineArray(InlineCount + 1)]
    private struct InlineBoundaries
    {
        private ushort _element;
    }
}
