using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;
using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;
using TinyRpc.Exceptions;

namespace TinyRpc.Protocols.MsgPackRpc;

/// <summary>
/// Reads and writes parameter, result and error values: common primitives directly, everything else through the
/// user's resolver, then the built-in reflection-free ones.
/// </summary>
internal sealed class MessagePackValueCodec : IErrorDataReader
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

    /// <inheritdoc/>
    public T ReadErrorData<T>(ReadOnlyMemory<byte> data)
    {
        try
        {
            return Read<T>(data);
        }
        catch (Exception e) when (IsDecodeFailure(e))
        {
            throw new InvalidCastException($"The error object cannot be read as {TypeNames.Describe(typeof(T))}: {e.Message}", e);
        }
    }

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
            return (T)MessagePackObjectFormatter.ReadObject(ref reader, 0, _maxDepth)!;
        }

        if (typeof(T) == typeof(RpcStreamPage))
        {
            return (T)(object)MessagePackStreamPages.Read(ref reader);
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
            if (value is string text)
            {
                WellFormedText.Check(text);
            }

            writer.Write((string?)(object?)value);
        }
        else if (typeof(T) == typeof(object) && _userObjectFormatter is null)
        {
            MessagePackObjectFormatter.WriteObject(ref writer, value, 0, _maxDepth);
        }
        else if (typeof(T) == typeof(RpcStreamPage) && value is RpcStreamPage page)
        {
            MessagePackStreamPages.Write(ref writer, page);
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

            if (!WellFormedText.IsWellFormed(text))
            {
                return -1; // Write refuses it, where the refusal becomes the caller's error
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

    private static class FormatterCache<T>
    {
        public static volatile Entry? Last;

        public sealed record Entry(IFormatterResolver Source, IMessagePackFormatter<T> Formatter);
    }

    /// <summary>
    /// The resolver used when the user supplies none, and after the user's: MessagePack-CSharp's built-in
    /// formatters, <see cref="object"/> as primitives, arrays and maps, the resolvers TinyRpc's generator
    /// registers for the types of each contract, then the common collections of <see cref="object"/> and
    /// <see cref="string"/>. No reflection: generic formatters exist only for closed types named in code.
    /// </summary>
    private sealed class FallbackResolver : IFormatterResolver
    {
        public static readonly FallbackResolver Instance = new();

        public IMessagePackFormatter<T>? GetFormatter<T>()
        {
            IMessagePackFormatter<T>? formatter = Cache<T>.Formatter;
            if (formatter is null)
            {
                // A miss is not remembered: a module initializer that registers the type may run later.
                formatter = Find<T>();
                Cache<T>.Formatter = formatter;
            }

            return formatter;
        }

        private static IMessagePackFormatter<T>? Find<T>()
        {
            // The forms JSON-RPC and other implementations read naturally, rather than MessagePack-CSharp's own.
            if (typeof(T) == typeof(DateTimeOffset))
            {
                return (IMessagePackFormatter<T>)(object)DateTimeOffsetTextFormatter.Instance;
            }

            if (typeof(T) == typeof(decimal))
            {
                return (IMessagePackFormatter<T>)(object)DecimalTextFormatter.Instance;
            }

            if (typeof(T) == typeof(DateTimeOffset?))
            {
                return (IMessagePackFormatter<T>)(object)new StaticNullableFormatter<DateTimeOffset>(DateTimeOffsetTextFormatter.Instance);
            }

            if (typeof(T) == typeof(decimal?))
            {
                return (IMessagePackFormatter<T>)(object)new StaticNullableFormatter<decimal>(DecimalTextFormatter.Instance);
            }

            if (BuiltinResolver.Instance.GetFormatter<T>() is { } builtin)
            {
                return builtin;
            }

            if (typeof(T) == typeof(object))
            {
                return (IMessagePackFormatter<T>)(object)MessagePackObjectFormatter.Instance;
            }

            foreach (IFormatterResolver generated in MessagePackFormatterRegistry.Resolvers)
            {
                if (generated.GetFormatter<T>() is { } found)
                {
                    return found;
                }
            }

            return (IMessagePackFormatter<T>?)CommonFormatter(typeof(T));
        }

        // Shapes a client names in CallAsync<T> without a contract that would make the generator see them.
        private static object? CommonFormatter(Type type)
        {
            if (type == typeof(object[])) { return new ArrayFormatter<object?>(); }
            if (type == typeof(List<object>)) { return new ListFormatter<object?>(); }
            if (type == typeof(IList<object>)) { return new InterfaceListFormatter2<object?>(); }
            if (type == typeof(IReadOnlyList<object>)) { return new InterfaceReadOnlyListFormatter<object?>(); }
            if (type == typeof(IEnumerable<object>)) { return new InterfaceEnumerableFormatter<object?>(); }
            if (type == typeof(Dictionary<string, object>)) { return new DictionaryFormatter<string, object?>(); }
            if (type == typeof(IDictionary<string, object>)) { return new InterfaceDictionaryFormatter<string, object?>(); }
            if (type == typeof(IReadOnlyDictionary<string, object>)) { return new InterfaceReadOnlyDictionaryFormatter<string, object?>(); }
            if (type == typeof(Dictionary<string, string>)) { return new DictionaryFormatter<string, string?>(); }
            if (type == typeof(IDictionary<string, string>)) { return new InterfaceDictionaryFormatter<string, string?>(); }
            if (type == typeof(IReadOnlyDictionary<string, string>)) { return new InterfaceReadOnlyDictionaryFormatter<string, string?>(); }
            if (type == typeof(List<string>)) { return new ListFormatter<string?>(); }
            if (type == typeof(IReadOnlyList<string>)) { return new InterfaceReadOnlyListFormatter<string?>(); }
            if (type == typeof(IEnumerable<string>)) { return new InterfaceEnumerableFormatter<string?>(); }
            return null;
        }

        private static class Cache<T>
        {
            public static volatile IMessagePackFormatter<T>? Formatter;
        }
    }

    /// <summary>The user's resolver first, then the built-in ones. Each resolver caches its own formatters.</summary>
    private sealed class ChainResolver(IFormatterResolver user) : IFormatterResolver
    {
        public IMessagePackFormatter<T>? GetFormatter<T>()
            => user.GetFormatter<T>() ?? FallbackResolver.Instance.GetFormatter<T>();
    }
}
