using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Unicode;
using MessagePack;

namespace TinyRpc.Protocols.MsgPackRpc;

/// <summary>
/// Checks untrusted msgpack without building anything: one pass, no recursion, no allocation that depends on
/// what a header claims. Strings must be valid UTF-8 (as tinyrpc's <c>unpackb(raw=False)</c> requires).
/// </summary>
/// <remarks>
/// <see cref="TrySkip"/> is the quick check the parsers use while they read: it only says yes or no.
/// <see cref="Validate"/> and <see cref="Skip(ref MessagePackReader, int)"/> accept exactly the same values and
/// say what is wrong; the parsers call them once a quick check has failed, to describe the problem.
/// </remarks>
internal static class MessagePackScanner
{
    private const int StackDepth = 128; // deeper limits take their pending counts from the array pool

    /// <summary>
    /// Moves <paramref name="position"/> past one complete, well-formed value of <paramref name="data"/> that lies
    /// inside <paramref name="depth"/> open arrays or maps. False when the value is malformed, truncated, nests
    /// deeper than <paramref name="maxDepth"/> in all, or has a string that is not UTF-8 (the position is then undefined).
    /// </summary>
    public static bool TrySkip(ReadOnlySpan<byte> data, ref int position, int depth, int maxDepth)
    {
        if ((uint)position >= (uint)data.Length)
        {
            return false;
        }

        byte code = data[position];
        if (code <= 0x7f || code >= 0xe0 || code is 0xc0 or 0xc2 or 0xc3)
        {
            position++; // the usual arguments (small integers, nil, booleans) take the shortest way
            return true;
        }

        int room = maxDepth - depth;
        if (code is < 0x80 or > 0x9f and (< 0xdc or > 0xdf))
        {
            return Walk(data, ref position, room, default); // not an array or map: no pending counts needed
        }

        if (room <= StackDepth)
        {
            Span<int> pending = stackalloc int[Math.Max(room, 1)];
            return Walk(data, ref position, room, pending);
        }

        int[] rented = ArrayPool<int>.Shared.Rent(room);
        try
        {
            return Walk(data, ref position, room, rented);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(rented);
        }
    }

    // The same walk as Skip(ref MessagePackReader, int, int[]) over a span: room is how many more levels may open.
    private static bool Walk(ReadOnlySpan<byte> data, ref int position, int room, Span<int> pending)
    {
        int pos = position;
        int open = 0;
        while (true)
        {
            if ((uint)pos >= (uint)data.Length)
            {
                return false;
            }

            byte code = data[pos++];
            long items = -1; // elements of an array or map; -1 for other values
            long size; // bytes that follow the header
            switch (code)
            {
                case <= 0x7f or >= 0xe0 or 0xc0 or 0xc2 or 0xc3:
                    size = 0;
                    break;
                case <= 0x8f:
                    items = 2 * (code & 0x0f);
                    size = 0;
                    break;
                case <= 0x9f:
                    items = code & 0x0f;
                    size = 0;
                    break;
                case <= 0xbf:
                    size = code & 0x1f;
                    if (size > data.Length - pos || !IsUtf8(data.Slice(pos, (int)size)))
                    {
                        return false;
                    }

                    break;
                case 0xc4 or 0xd9:
                case 0xc5 or 0xda:
                case 0xc6 or 0xdb:
                    int width = code switch { 0xc4 or 0xd9 => 1, 0xc5 or 0xda => 2, _ => 4 };
                    if (!TryReadLength(data, ref pos, width, out size) || size > data.Length - pos)
                    {
                        return false;
                    }

                    if (code >= 0xd9 && !IsUtf8(data.Slice(pos, (int)size)))
                    {
                        return false;
                    }

                    break;
                case 0xc7 or 0xc8 or 0xc9:
                    if (!TryReadLength(data, ref pos, code == 0xc7 ? 1 : code == 0xc8 ? 2 : 4, out size))
                    {
                        return false;
                    }

                    size++; // the extension type
                    break;
                case 0xca or 0xce or 0xd2:
                    size = 4;
                    break;
                case 0xcb or 0xcf or 0xd3:
                    size = 8;
                    break;
                case 0xcc or 0xd0:
                    size = 1;
                    break;
                case 0xcd or 0xd1:
                    size = 2;
                    break;
                case >= 0xd4 and <= 0xd8:
                    size = 1 + (1 << (code - 0xd4)); // the extension type and 1, 2, 4, 8 or 16 bytes
                    break;
                case 0xdc or 0xdd:
                    if (!TryReadLength(data, ref pos, code == 0xdc ? 2 : 4, out items))
                    {
                        return false;
                    }

                    size = 0;
                    break;
                case 0xde or 0xdf:
                    if (!TryReadLength(data, ref pos, code == 0xde ? 2 : 4, out items))
                    {
                        return false;
                    }

                    items *= 2;
                    size = 0;
                    break;
                default: // 0xc1, never used
                    return false;
            }

            if (size > data.Length - pos)
            {
                return false;
            }

            pos += (int)size;
            if (items >= 0)
            {
                // Every element takes at least one byte: a header that claims more than the bytes left is a lie.
                if (open >= room || items > data.Length - pos)
                {
                    return false;
                }

                if (items > 0)
                {
                    pending[open++] = (int)items;
                    continue;
                }
            }

            // One value is complete: count it against the open containers, closing those that are full.
            while (open > 0 && --pending[open - 1] == 0)
            {
                open--;
            }

            if (open == 0)
            {
                position = pos;
                return true;
            }
        }
    }

    /// <summary>True when <paramref name="text"/> is valid UTF-8; ASCII, the usual case, is checked first and faster.</summary>
    public static bool IsUtf8(ReadOnlySpan<byte> text) => Ascii.IsValid(text) || Utf8.IsValid(text);

    // A big-endian unsigned length of 1, 2 or 4 bytes.
    private static bool TryReadLength(ReadOnlySpan<byte> data, ref int pos, int width, out long length)
    {
        if (width > data.Length - pos)
        {
            length = 0;
            return false;
        }

        ReadOnlySpan<byte> bytes = data.Slice(pos, width);
        length = width switch
        {
            1 => bytes[0],
            2 => BinaryPrimitives.ReadUInt16BigEndian(bytes),
            _ => BinaryPrimitives.ReadUInt32BigEndian(bytes),
        };
        pos += width;
        return true;
    }

    /// <summary>Null when <paramref name="data"/> is exactly one well-formed value nested at most <paramref name="maxDepth"/> deep; else what is wrong.</summary>
    public static string? Validate(ReadOnlyMemory<byte> data, int maxDepth)
    {
        var reader = new MessagePackReader(data);
        string? problem = Skip(ref reader, maxDepth);
        if (problem is null && !reader.End)
        {
            long extra = data.Length - reader.Consumed;
            problem = string.Create(CultureInfo.InvariantCulture, $"{extra} bytes follow the end of the message.");
        }

        return problem;
    }

    /// <summary>
    /// Reads past one complete value. Null when it is well formed; else what is wrong (the reader is then left
    /// somewhere inside the value). Never throws for malformed data.
    /// </summary>
    public static string? Skip(ref MessagePackReader reader, int maxDepth)
    {
        int[] pending = ArrayPool<int>.Shared.Rent(Math.Max(1, maxDepth)); // items left in each open array or map
        try
        {
            return Skip(ref reader, maxDepth, pending);
        }
        catch (Exception e) when (e is EndOfStreamException or ArgumentOutOfRangeException)
        {
            // MessagePackReader reports a binary or extension length beyond the data as an argument out of range.
            return "The message is truncated: a value, or the elements a header announces, run past its end.";
        }
        catch (MessagePackSerializationException e)
        {
            return e.Message;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(pending);
        }
    }

    private static string? Skip(ref MessagePackReader reader, int maxDepth, int[] pending)
    {
        long total = reader.Sequence.Length;
        int depth = 0;
        while (true)
        {
            if (reader.End)
            {
                return "The message is truncated: it ends where a value should start.";
            }

            byte code = reader.NextCode;
            long items = -1; // elements of an array or map; -1 for other values
            switch (reader.NextMessagePackType)
            {
                case MessagePackType.Array:
                    items = reader.ReadArrayHeader();
                    if (items < 0)
                    {
                        return "An array header announces more than 2^31 elements.";
                    }

                    break;

                case MessagePackType.Map:
                    items = 2L * reader.ReadMapHeader();
                    if (items < 0)
                    {
                        return "A map header announces more than 2^31 entries.";
                    }

                    break;

                case MessagePackType.String:
                    ReadOnlySequence<byte> text = reader.ReadStringSequence()!.Value;
                    if (!(text.IsSingleSegment ? Utf8.IsValid(text.FirstSpan) : Utf8.IsValid(text.ToArray())))
                    {
                        return "A string is not valid UTF-8.";
                    }

                    break;

                case MessagePackType.Unknown:
                    return string.Create(CultureInfo.InvariantCulture, $"0x{code:x2} is not a msgpack type code.");

                default:
                    reader.Skip(); // a scalar, binary or extension value: no recursion
                    break;
            }

            if (items >= 0)
            {
                if (depth == maxDepth)
                {
                    return string.Create(CultureInfo.InvariantCulture, $"The message nests arrays and maps deeper than {maxDepth} levels.");
                }

                // Every element takes at least one byte: a header that claims more than the bytes left is a lie.
                if (items > total - reader.Consumed)
                {
                    return string.Create(CultureInfo.InvariantCulture, $"A header announces {items} elements but only {total - reader.Consumed} bytes remain.");
                }

                if (items > 0)
                {
                    pending[depth++] = (int)items;
                    continue;
                }
            }

            // One value is complete: count it against the open containers, closing those that are full.
            while (depth > 0 && --pending[depth - 1] == 0)
            {
                depth--;
            }

            if (depth == 0)
            {
                return null;
            }
        }
    }
}
