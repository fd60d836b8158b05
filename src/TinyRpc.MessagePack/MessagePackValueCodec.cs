using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;
using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;

namespace TinyRpc.Protocols;

/// <summary>
/// Reads and writes parameter, result and error values: common primitives directly, everything else through the
/// user's resolver, then the built-in reflection-free ones.
/// </summary>
internal sealed class MessagePackValueCodec
{
    private readonly IMessagePackFormatter<object>? _userObjectFormatter;
    private readonly int _maxDepth;
    private readonly IFormatterResolver _formatterSource; // what decides the formatters: codecs that share it share them

    public MessagePackValueCodec(MessagePackSerializerOptions? user, int maxDepth)
    {
        IFormatterResolver resolver = user is null
            ? FallbackResolver.Instance
            : new ChainResolver(user.Resolver);
        MessagePackSecurity security = user is null || ReferenceEquals(user.Security, MessagePackSecurity.TrustedData)
            ? MessagePackSecurity.UntrustedData
            : user.Security;
        security = security.WithMaximumObjectGraphDepth(Math.Min(security.MaximumObjectGraphDepth, maxDepth));
        Options = (user ?? new MessagePackSerializerOptions(resolver))
            .WithResolver(resolver)
            .WithSecurity(security)
            .WithCompression(MessagePackCompression.None);
        _userObjectFormatter = user?.Resolver.GetFormatter<object>();
        _maxDepth = maxDepth;
        _formatterSource = user?.Resolver ?? FallbackResolver.Instance;
    }

    public MessagePackSerializerOptions Options { get; }

    /// <summary>Decodes one value.</summary>
    /// <exception cref="MessagePackSerializationException">Or another exception caught by <see cref="IsDecodeFailure"/>.</exception>
    public T Read<T>(ReadOnlyMemory<byte> raw)
    {
        if (typeof(T) == typeof(int) && TryReadSmallInteger(raw.Span, out long small))
        {
            int v = (int)small;
            return Unsafe.As<int, T>(ref v);
        }

        if (typeof(T) == typeof(long) && TryReadSmallInteger(raw.Span, out long number))
        {
            return Unsafe.As<long, T>(ref number);
        }

        if (typeof(T) == typeof(string) && TryReadString(raw.Span, out string? text))
        {
            return (T)(object?)text!;
        }

        var reader = new MessagePackReader(raw);
        if (typeof(T) == typeof(int))
        {
            int v = reader.ReadInt32();
            return Unsafe.As<int, T>(ref v);
        }

        if (typeof(T) == typeof(long))
        {
            long v = reader.ReadInt64();
            return Unsafe.As<long, T>(ref v);
        }

        if (typeof(T) == typeof(double))
        {
            double v = reader.ReadDouble();
            return Unsafe.As<double, T>(ref v);
        }

        if (typeof(T) == typeof(bool))
        {
            bool v = reader.ReadBoolean();
            return Unsafe.As<bool, T>(ref v);
        }

        if (typeof(T) == typeof(string))
        {
            return (T)(object?)reader.ReadString()!;
        }

        if (typeof(T) == typeof(object) && _userObjectFormatter is null)
        {
            return (T)ReadObject(ref reader, 0)!;
        }

        return Formatter<T>().Deserialize(ref reader, Options);
    }

    /// <summary>Encodes one value.</summary>
    public void Write<T>(ref MessagePackWriter writer, T value)
    {
        if (typeof(T) == typeof(int))
        {
            writer.Write(Unsafe.As<T, int>(ref value));
        }
        else if (typeof(T) == typeof(long))
        {
            writer.Write(Unsafe.As<T, long>(ref value));
        }
        else if (typeof(T) == typeof(double))
        {
            writer.Write(Unsafe.As<T, double>(ref value));
        }
        else if (typeof(T) == typeof(bool))
        {
            writer.Write(Unsafe.As<T, bool>(ref value));
        }
        else if (typeof(T) == typeof(string))
        {
            writer.Write((string?)(object?)value);
        }
        else if (typeof(T) == typeof(object) && _userObjectFormatter is null)
        {
            WriteObject(ref writer, value, 0);
        }
        else
        {
            Formatter<T>().Serialize(ref writer, value, Options);
        }
    }

    /// <summary>
    /// The size of <paramref name="value"/> when <see cref="WriteDirect"/> can write it (integers, booleans,
    /// strings, doubles: what <see cref="Write"/> writes without a formatter); else -1.
    /// </summary>
    public static int DirectSize<T>(T value)
    {
        if (typeof(T) == typeof(int))
        {
            return MessagePackWire.IntegerSize(Unsafe.As<T, int>(ref value));
        }

        if (typeof(T) == typeof(long))
        {
            return MessagePackWire.IntegerSize(Unsafe.As<T, long>(ref value));
        }

        if (typeof(T) == typeof(bool))
        {
            return 1;
        }

        if (typeof(T) == typeof(double))
        {
            return 9;
        }

        if (typeof(T) == typeof(string))
        {
            if (value is not string text)
            {
                return 1;
            }

            int bytes = Encoding.UTF8.GetByteCount(text);
            return MessagePackWire.StringHeaderSize(bytes) + bytes;
        }

        return -1;
    }

    /// <summary>Writes a value whose <see cref="DirectSize"/> is the length of <paramref name="destination"/>.</summary>
    public static void WriteDirect<T>(Span<byte> destination, T value)
    {
        if (typeof(T) == typeof(int))
        {
            MessagePackWire.WriteInteger(destination, Unsafe.As<T, int>(ref value));
        }
        else if (typeof(T) == typeof(long))
        {
            MessagePackWire.WriteInteger(destination, Unsafe.As<T, long>(ref value));
        }
        else if (typeof(T) == typeof(bool))
        {
            destination[0] = Unsafe.As<T, bool>(ref value) ? MessagePackCode.True : MessagePackCode.False;
        }
        else if (typeof(T) == typeof(double))
        {
            destination[0] = MessagePackCode.Float64;
            BinaryPrimitives.WriteDoubleBigEndian(destination[1..], Unsafe.As<T, double>(ref value));
        }
        else if (value is string text)
        {
            // The header size follows from the total: sizes of 1 + 0..31, 2 + 32..255, 3 + 256..65535 do not overlap.
            int length = destination.Length;
            int header = length - 1 <= 31 ? 1 : length - 2 <= byte.MaxValue ? 2 : length - 3 <= ushort.MaxValue ? 3 : 5;
            MessagePackWire.WriteString(destination, text, length - header);
        }
        else
        {
            destination[0] = MessagePackWire.Nil;
        }
    }

    // The formatter of T in this codec's resolver, remembered per type for the resolver used last.
    private IMessagePackFormatter<T> Formatter<T>()
    {
        FormatterCache<T>.Entry? last = FormatterCache<T>.Last;
        if (last is not null && ReferenceEquals(last.Source, _formatterSource))
        {
            return last.Formatter;
        }

        IMessagePackFormatter<T> formatter = Options.Resolver.GetFormatterWithVerify<T>();
        FormatterCache<T>.Last = new FormatterCache<T>.Entry(_formatterSource, formatter);
        return formatter;
    }

    // An integer that fits 32 bits, in any of the encodings that hold one.
    private static bool TryReadSmallInteger(ReadOnlySpan<byte> raw, out long value)
    {
        value = 0;
        if (raw.IsEmpty)
        {
            return false;
        }

        byte code = raw[0];
        if (code <= 0x7f || code >= 0xe0)
        {
            value = unchecked((sbyte)code);
            return raw.Length == 1;
        }

        int width = code switch { 0xcc or 0xd0 => 1, 0xcd or 0xd1 => 2, 0xd2 => 4, _ => 0 };
        if (width == 0 || raw.Length != 1 + width)
        {
            return false;
        }

        ReadOnlySpan<byte> bytes = raw[1..];
        value = code switch
        {
            0xcc => bytes[0],
            0xcd => BinaryPrimitives.ReadUInt16BigEndian(bytes),
            0xd0 => unchecked((sbyte)bytes[0]),
            0xd1 => BinaryPrimitives.ReadInt16BigEndian(bytes),
            _ => BinaryPrimitives.ReadInt32BigEndian(bytes),
        };
        return true;
    }

    // A whole str value (already checked to be UTF-8) or nil.
    private static bool TryReadString(ReadOnlySpan<byte> raw, out string? value)
    {
        value = null;
        if (raw.Length == 1 && raw[0] == MessagePackWire.Nil)
        {
            return true;
        }

        int pos = 0;
        if (!MessagePackRpcProtocol.TryReadStringHeader(raw, ref pos, out int length) || pos + length != raw.Length)
        {
            return false;
        }

        value = Encoding.UTF8.GetString(raw[pos..]);
        return true;
    }

    // A value read as object, without reflection (MessagePack-CSharp's PrimitiveObjectFormatter makes generic
    // methods at run time for map keys under untrusted-data security, which NativeAOT cannot do): integers as
    // long (ulong beyond it), floats as double, str as string, bin as byte[], the timestamp extension as DateTime,
    // arrays as object?[], maps as Dictionary<object, object?> with per-process randomized key hashes.
    private object? ReadObject(ref MessagePackReader reader, int depth)
    {
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Nil:
                reader.ReadNil();
                return null;
            case MessagePackType.Boolean:
                return reader.ReadBoolean();
            case MessagePackType.Integer:
                return reader.NextCode == MessagePackCode.UInt64 && reader.CreatePeekReader().ReadUInt64() > long.MaxValue
                    ? reader.ReadUInt64()
                    : reader.ReadInt64();
            case MessagePackType.Float:
                return reader.ReadDouble();
            case MessagePackType.String:
                return reader.ReadString();
            case MessagePackType.Binary:
                return reader.ReadBytes()!.Value.ToArray();
            case MessagePackType.Extension when reader.CreatePeekReader().ReadExtensionFormatHeader().TypeCode == ReservedMessagePackExtensionTypeCode.DateTime:
                return reader.ReadDateTime();
            case MessagePackType.Array or MessagePackType.Map when depth >= _maxDepth:
                throw new MessagePackSerializationException($"The value nests deeper than {_maxDepth} levels.");
            case MessagePackType.Array:
            {
                object?[] items = new object?[reader.ReadArrayHeader()];
                for (int i = 0; i < items.Length; i++)
                {
                    items[i] = ReadObject(ref reader, depth + 1);
                }

                return items;
            }

            case MessagePackType.Map:
            {
                int count = reader.ReadMapHeader();
                var map = new Dictionary<object, object?>(count, RandomizedKeyComparer.Instance);
                for (int i = 0; i < count; i++)
                {
                    object key = ReadObject(ref reader, depth + 1) ?? throw new MessagePackSerializationException("A map key is nil.");
                    if (!map.TryAdd(key, ReadObject(ref reader, depth + 1)))
                    {
                        throw new MessagePackSerializationException($"The map key {key} appears more than once.");
                    }
                }

                return map;
            }

            default:
                throw new MessagePackSerializationException($"{Describe(reader.NextMessagePackType)} (code 0x{reader.NextCode:x2}) cannot be read as an object.");
        }
    }

    // A value known only as object: primitives in their shortest form (as other msgpack implementations write
    // them), arrays and maps of such values. Other types would need reflection to find their formatter.
    private void WriteObject(ref MessagePackWriter writer, object? value, int depth)
    {
        switch (value)
        {
            case null: writer.WriteNil(); break;
            case bool b: writer.Write(b); break;
            case int i: writer.Write(i); break;
            case long l: writer.Write(l); break;
            case uint u: writer.Write(u); break;
            case ulong u: writer.Write(u); break;
            case short s: writer.Write(s); break;
            case ushort u: writer.Write(u); break;
            case byte b: writer.Write(b); break;
            case sbyte s: writer.Write(s); break;
            case double d: writer.Write(d); break;
            case float f: writer.Write(f); break;
            case string s: writer.Write(s); break;
            case byte[] bytes: writer.Write(bytes); break;
            case System.Collections.IDictionary map when depth < _maxDepth:
                writer.WriteMapHeader(map.Count);
                foreach (System.Collections.DictionaryEntry entry in map)
                {
                    WriteObject(ref writer, entry.Key, depth + 1);
                    WriteObject(ref writer, entry.Value, depth + 1);
                }

                break;
            case System.Collections.ICollection list when depth < _maxDepth:
                writer.WriteArrayHeader(list.Count);
                foreach (object? item in list)
                {
                    WriteObject(ref writer, item, depth + 1);
                }

                break;
            case System.Collections.ICollection:
                throw new MessagePackSerializationException($"The value nests deeper than {_maxDepth} levels.");
            default:
                throw new MessagePackSerializationException(
                    $"A {TypeNames.Describe(value.GetType())} known only as object cannot be written without reflection: add it typed (RpcRequestBuilder.Add<T>), or use options whose resolver has an object formatter.");
        }
    }

    /// <summary>The exceptions a formatter throws for data it cannot read or a value it cannot write.</summary>
    public static bool IsDecodeFailure(Exception e)
        => e is MessagePackSerializationException or EndOfStreamException or OverflowException or FormatException
            or InvalidOperationException or InvalidCastException or NotSupportedException or ArgumentException
            or InsufficientExecutionStackException;

    /// <summary>"an integer", "a map" and so on, for error messages.</summary>
    public static string Describe(MessagePackType type) => type switch
    {
        MessagePackType.Integer => "an integer",
        MessagePackType.Nil => "nil",
        MessagePackType.Boolean => "a boolean",
        MessagePackType.Float => "a float",
        MessagePackType.String => "a string",
        MessagePackType.Binary => "binary data",
        MessagePackType.Array => "an array",
        MessagePackType.Map => "a map",
        MessagePackType.Extension => "an extension value",
        _ => "an unknown type code",
    };

    /// <summary>Hashes numeric keys with a per-process random seed, so that crafted keys cannot all collide.</summary>
    private sealed class RandomizedKeyComparer : IEqualityComparer<object>
    {
        public static readonly RandomizedKeyComparer Instance = new();

        public new bool Equals(object? x, object? y) => object.Equals(x, y);

        public int GetHashCode(object obj) => obj switch
        {
            long l => HashCode.Combine(l),
            ulong u => HashCode.Combine(u),
            double d => HashCode.Combine(d),
            _ => obj.GetHashCode(), // strings hash with a random seed already; arrays by reference
        };
    }

    private static class FormatterCache<T>
    {
        public static volatile Entry? Last;

        public sealed record Entry(IFormatterResolver Source, IMessagePackFormatter<T> Formatter);
    }

    /// <summary>The resolver used when the user supplies none: built-in formatters only, no reflection.</summary>
    private sealed class FallbackResolver : IFormatterResolver
    {
        public static readonly FallbackResolver Instance = new();

        public IMessagePackFormatter<T>? GetFormatter<T>()
            => BuiltinResolver.Instance.GetFormatter<T>();
    }

    /// <summary>The user's resolver first, then the built-in ones. Each resolver caches its own formatters.</summary>
    private sealed class ChainResolver(IFormatterResolver user) : IFormatterResolver
    {
        public IMessagePackFormatter<T>? GetFormatter<T>()
            => user.GetFormatter<T>() ?? FallbackResolver.Instance.GetFormatter<T>();
    }
}
