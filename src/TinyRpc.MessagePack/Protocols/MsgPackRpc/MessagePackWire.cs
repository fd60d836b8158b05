using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace TinyRpc.Protocols.MsgPackRpc;

/// <summary>
/// Envelope parts and common values written straight into an array of the exact size, byte for byte as
/// <see cref="MessagePack.MessagePackWriter"/> writes them (the shortest form of each integer, str8 for strings of
/// 32 to 255 bytes, float64 for doubles).
/// </summary>
internal static class MessagePackWire
{
    public const byte Nil = 0xc0;

    /// <summary>The size of <paramref name="value"/> as written by <see cref="WriteInteger"/>.</summary>
    public static int IntegerSize(long value) => value switch
    {
        >= -32 and <= 127 => 1,
        >= sbyte.MinValue and <= byte.MaxValue => 2,
        >= short.MinValue and <= ushort.MaxValue => 3,
        >= int.MinValue and <= uint.MaxValue => 5,
        _ => 9,
    };

    /// <summary>Writes an integer in its shortest form (unsigned codes for positive values); returns its size.</summary>
    public static int WriteInteger(Span<byte> destination, long value)
    {
        switch (value)
        {
            case >= -32 and <= 127:
                destination[0] = unchecked((byte)value);
                return 1;
            case >= 0 and <= byte.MaxValue:
                destination[1] = (byte)value;
                destination[0] = 0xcc;
                return 2;
            case >= 0 and <= ushort.MaxValue:
                BinaryPrimitives.WriteUInt16BigEndian(destination[1..], (ushort)value);
                destination[0] = 0xcd;
                return 3;
            case >= 0 and <= uint.MaxValue:
                BinaryPrimitives.WriteUInt32BigEndian(destination[1..], (uint)value);
                destination[0] = 0xce;
                return 5;
            case >= 0:
                BinaryPrimitives.WriteUInt64BigEndian(destination[1..], (ulong)value);
                destination[0] = 0xcf;
                return 9;
            case >= sbyte.MinValue:
                destination[1] = unchecked((byte)value);
                destination[0] = 0xd0;
                return 2;
            case >= short.MinValue:
                BinaryPrimitives.WriteInt16BigEndian(destination[1..], (short)value);
                destination[0] = 0xd1;
                return 3;
            case >= int.MinValue:
                BinaryPrimitives.WriteInt32BigEndian(destination[1..], (int)value);
                destination[0] = 0xd2;
                return 5;
            default:
                BinaryPrimitives.WriteInt64BigEndian(destination[1..], value);
                destination[0] = 0xd3;
                return 9;
        }
    }

    /// <summary>The size of a str header for <paramref name="byteCount"/> bytes.</summary>
    public static int StringHeaderSize(int byteCount) => byteCount switch
    {
        <= 31 => 1,
        <= byte.MaxValue => 2,
        <= ushort.MaxValue => 3,
        _ => 5,
    };

    /// <summary>Writes a str header; returns its size.</summary>
    public static int WriteStringHeader(Span<byte> destination, int byteCount)
    {
        switch (byteCount)
        {
            case <= 31:
                destination[0] = (byte)(0xa0 | byteCount);
                return 1;
            case <= byte.MaxValue:
                destination[1] = (byte)byteCount;
                destination[0] = 0xd9;
                return 2;
            case <= ushort.MaxValue:
                BinaryPrimitives.WriteUInt16BigEndian(destination[1..], (ushort)byteCount);
                destination[0] = 0xda;
                return 3;
            default:
                BinaryPrimitives.WriteUInt32BigEndian(destination[1..], (uint)byteCount);
                destination[0] = 0xdb;
                return 5;
        }
    }

    /// <summary>The size of an array header for <paramref name="count"/> elements.</summary>
    public static int ArrayHeaderSize(int count) => count <= 15 ? 1 : count <= ushort.MaxValue ? 3 : 5;

    /// <summary>Writes an array header; returns its size.</summary>
    public static int WriteArrayHeader(Span<byte> destination, int count)
    {
        if (count <= 15)
        {
            destination[0] = (byte)(0x90 | count);
            return 1;
        }

        if (count <= ushort.MaxValue)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[1..], (ushort)count);
            destination[0] = 0xdc;
            return 3;
        }

        BinaryPrimitives.WriteUInt32BigEndian(destination[1..], (uint)count);
        destination[0] = 0xdd;
        return 5;
    }

    /// <summary>Writes a string that has <paramref name="byteCount"/> bytes in UTF-8; returns the size written.</summary>
    public static int WriteString(Span<byte> destination, string value, int byteCount)
    {
        int header = WriteStringHeader(destination, byteCount);
        return header + Encoding.UTF8.GetBytes(value, destination[header..]);
    }
}

/// <summary>A reusable per-thread buffer, so that writing a message of any shape allocates only its final array.</summary>
internal sealed class PooledMessagePackBuffer
{
    [ThreadStatic]
    private static PooledMessagePackBuffer? t_cached;

    private PooledMessagePackBuffer()
    {
    }

    public ArrayBufferWriter<byte> Buffer { get; } = new(256);

    /// <summary>Takes this thread's buffer (a new one when it is in use already); give it back with <see cref="Return"/>.</summary>
    public static PooledMessagePackBuffer Rent()
    {
        PooledMessagePackBuffer pooled = t_cached ?? new PooledMessagePackBuffer();
        t_cached = null;
        return pooled;
    }

    public void Return()
    {
        Buffer.ResetWrittenCount();
        if (Buffer.Capacity > 64 * 1024)
        {
            return; // let an unusually large buffer go rather than pin it to the thread
        }

        t_cached = this;
    }
}
