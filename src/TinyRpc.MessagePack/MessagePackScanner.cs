using System.Buffers;
using System.Globalization;
using System.Text.Unicode;
using MessagePack;

namespace TinyRpc.Protocols;

/// <summary>
/// Checks untrusted msgpack without building anything: one pass, no recursion, no allocation that depends on
/// what a header claims. Strings must be valid UTF-8 (as tinyrpc's <c>unpackb(raw=False)</c> requires).
/// </summary>
internal static class MessagePackScanner
{
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
