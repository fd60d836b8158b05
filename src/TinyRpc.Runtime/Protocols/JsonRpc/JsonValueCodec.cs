using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using TinyRpc.Exceptions;

namespace TinyRpc.Protocols.JsonRpc;

/// <summary>
/// Reads and writes single JSON values for the JSON-RPC protocol. Common primitives take a direct
/// path through the reader and writer; everything else goes through the <see cref="JsonTypeInfo{T}"/>
/// that the options' resolver supplies, which is the NativeAOT path.
/// </summary>
internal sealed class JsonValueCodec : IErrorDataReader
{
    private readonly JsonSerializerOptions? _userOptions;
    private JsonSerializerOptions? _options;

    public JsonValueCodec(JsonSerializerOptions? userOptions)
    {
        // A copy, so that later changes to the caller's instance do not reach the protocol.
        _userOptions = userOptions is null ? null : new JsonSerializerOptions(userOptions);
        MaxDepth = userOptions is null || userOptions.MaxDepth == 0 ? 64 : userOptions.MaxDepth;
        WriterOptions = new JsonWriterOptions
        {
            Encoder = userOptions?.Encoder ?? JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            Indented = false,
            SkipValidation = false,
        };
    }

    /// <summary>
    /// The serializer options, made on first use: a protocol whose values are all ints, strings and the like
    /// never pays for setting up the serializer, which is a noticeable part of a program's start.
    /// </summary>
    public JsonSerializerOptions Options
    {
        get
        {
            JsonSerializerOptions? options = Volatile.Read(ref _options);
            if (options is null)
            {
                options = CreateOptions(_userOptions);
                options = Interlocked.CompareExchange(ref _options, options, null) ?? options;
            }

            return options;
        }
    }

    /// <summary>The nesting limit of values read with the serializer's reader (its MaxDepth, 64 when unset).</summary>
    public int MaxDepth { get; }

    public JsonWriterOptions WriterOptions { get; }

    /// <summary>
    /// True when strings are escaped by the relaxed encoder, under which printable ASCII other than <c>"</c> and
    /// <c>\</c> is written as it is: such strings can then be copied without the writer.
    /// </summary>
    public bool CopiesPlainAscii => ReferenceEquals(WriterOptions.Encoder, JavaScriptEncoder.UnsafeRelaxedJsonEscaping);

    // Printable ASCII that no JSON encoder needs to escape under the relaxed rules.
    private static readonly SearchValues<char> s_plainAscii = SearchValues.Create(
        " !#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    /// <summary>
    /// The length of <paramref name="value"/> written as a JSON value without the writer (an int, or a string
    /// of plain ASCII under the relaxed encoder), or -1 when it needs the writer.
    /// </summary>
    public int MeasureSimple<T>(T value, Span<byte> scratch)
    {
        if (typeof(T) == typeof(int))
        {
            return Utf8Formatter.TryFormat((int)(object)value!, scratch, out int written) ? written : -1;
        }

        if (typeof(T) == typeof(string) && CopiesPlainAscii)
        {
            string? s = (string?)(object?)value;
            return s is null ? 4 : s.AsSpan().ContainsAnyExcept(s_plainAscii) ? -1 : s.Length + 2;
        }

        return -1;
    }

    /// <summary>Writes what <see cref="MeasureSimple{T}(T, Span{byte})"/> measured into <paramref name="destination"/>.</summary>
    public static void WriteSimple<T>(T value, ReadOnlySpan<byte> scratch, Span<byte> destination)
    {
        if (typeof(T) == typeof(int))
        {
            scratch[..destination.Length].CopyTo(destination);
        }
        else if ((string?)(object?)value is { } s)
        {
            destination[0] = (byte)'"';
            Ascii.FromUtf16(s, destination[1..^1], out _);
            destination[^1] = (byte)'"';
        }
        else
        {
            "null"u8.CopyTo(destination);
        }
    }

    private static JsonSerializerOptions CreateOptions(JsonSerializerOptions? user)
    {
        // A new instance on every call: two threads may get here at once, and each changes its own.
        JsonSerializerOptions options = user is null ? new JsonSerializerOptions() : new JsonSerializerOptions(user);

        // The wire never carries NaN or Infinity: JSON has no such numbers and peers choke on them.
        options.NumberHandling &= ~JsonNumberHandling.AllowNamedFloatingPointLiterals;

        IJsonTypeInfoResolver? userResolver = user?.TypeInfoResolver;
        IJsonTypeInfoResolver? fallback = DefaultResolver();
        options.TypeInfoResolver = (userResolver, fallback) switch
        {
            (null, null) => TinyRpcJsonContext.Default,
            (null, _) => JsonTypeInfoResolver.Combine(TinyRpcJsonContext.Default, fallback),
            (_, null) => JsonTypeInfoResolver.Combine(userResolver, TinyRpcJsonContext.Default),
            _ => JsonTypeInfoResolver.Combine(userResolver, TinyRpcJsonContext.Default, fallback),
        };
        options.MakeReadOnly();
        return options;
    }

    // Reflection-based metadata only where the application has it enabled (never under NativeAOT,
    // where the feature switch is false and this branch is trimmed away).
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Guarded by JsonSerializer.IsReflectionEnabledByDefault.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Guarded by JsonSerializer.IsReflectionEnabledByDefault.")]
    private static DefaultJsonTypeInfoResolver? DefaultResolver()
        => JsonSerializer.IsReflectionEnabledByDefault ? new DefaultJsonTypeInfoResolver() : null;

    public JsonTypeInfo<T> GetTypeInfo<T>()
    {
        TypeInfoCache<T>.Entry? entry = TypeInfoCache<T>.Last;
        if (entry is not null && ReferenceEquals(entry.Options, Options))
        {
            return entry.Info;
        }

        JsonTypeInfo<T> info = (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));
        TypeInfoCache<T>.Last = new TypeInfoCache<T>.Entry(Options, info);
        return info;
    }

    /// <summary>Writes <paramref name="value"/>; values typed <c>object</c> are written by their runtime type.</summary>
    public void Write<T>(Utf8JsonWriter writer, T value)
    {
        if (typeof(T) == typeof(int))
        {
            writer.WriteNumberValue((int)(object)value!);
        }
        else if (typeof(T) == typeof(long))
        {
            writer.WriteNumberValue((long)(object)value!);
        }
        else if (typeof(T) == typeof(bool))
        {
            writer.WriteBooleanValue((bool)(object)value!);
        }
        else if (typeof(T) == typeof(double))
        {
            double d = (double)(object)value!;
            if (!double.IsFinite(d))
            {
                throw new NotSupportedException("NaN and Infinity cannot be written as JSON numbers.");
            }

            writer.WriteNumberValue(d);
        }
        else if (typeof(T) == typeof(string))
        {
            string? s = (string?)(object?)value;
            if (s is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                WellFormedText.Check(s);
                writer.WriteStringValue(s);
            }
        }
        else if (value is null)
        {
            writer.WriteNullValue();
        }
        else if (typeof(T) == typeof(RpcStreamPage))
        {
            JsonStreamPages.Write(writer, (RpcStreamPage)(object)value);
        }
        else if (typeof(T) == typeof(object))
        {
            WriteObject(writer, value);
        }
        else
        {
            JsonSerializer.Serialize(writer, value, GetTypeInfo<T>());
        }
    }

    /// <summary>Writes a value of any type by its runtime type.</summary>
    public void WriteObject(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string s:
                WellFormedText.Check(s);
                writer.WriteStringValue(s);
                break;
            case int i:
                writer.WriteNumberValue(i);
                break;
            case long l:
                writer.WriteNumberValue(l);
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case double d:
                Write(writer, d);
                break;
            case JsonElement e:
                e.WriteTo(writer);
                break;
            default:
                JsonTypeInfo info = Options.GetTypeInfo(value.GetType());
                JsonSerializer.Serialize(writer, value, info);
                break;
        }
    }

    /// <inheritdoc/>
    public T ReadErrorData<T>(ReadOnlyMemory<byte> data)
    {
        try
        {
            return Read<T>(data.Span);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or NotSupportedException or ArgumentException)
        {
            throw new InvalidCastException($"The error data cannot be read as {TypeNames.Describe(typeof(T))}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Reads one complete JSON value from <paramref name="json"/> as <typeparamref name="T"/>.
    /// Throws <see cref="JsonException"/>, <see cref="FormatException"/>, <see cref="InvalidOperationException"/>
    /// or <see cref="NotSupportedException"/> when the value does not fit the type.
    /// </summary>
    public T Read<T>(ReadOnlySpan<byte> json)
    {
        // The values handed here were already read once, whole and valid, as part of their message: the most
        // common shapes are decoded straight from their bytes, without a second reader.
        if (typeof(T) == typeof(int) && Utf8Parser.TryParse(json, out int i, out int consumed) && consumed == json.Length)
        {
            return (T)(object)i;
        }

        if (typeof(T) == typeof(long) && Utf8Parser.TryParse(json, out long l, out consumed) && consumed == json.Length)
        {
            return (T)(object)l;
        }

        if (typeof(T) == typeof(string) && json.Length >= 2 && json[0] == (byte)'"' && json[^1] == (byte)'"'
            && json[1..^1].IndexOfAny((byte)'\\', (byte)'"') < 0)
        {
            return (T)(object)Encoding.UTF8.GetString(json[1..^1]);
        }

        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth });
        reader.Read();
        if (typeof(T) == typeof(int))
        {
            return (T)(object)RequireNumber(ref reader).GetInt32();
        }

        if (typeof(T) == typeof(long))
        {
            return (T)(object)RequireNumber(ref reader).GetInt64();
        }

        if (typeof(T) == typeof(double))
        {
            return (T)(object)RequireNumber(ref reader).GetDouble();
        }

        if (typeof(T) == typeof(bool))
        {
            return reader.TokenType switch
            {
                JsonTokenType.True => (T)(object)true,
                JsonTokenType.False => (T)(object)false,
                _ => throw new JsonException($"Expected a boolean, got {Describe(reader.TokenType)}."),
            };
        }

        if (typeof(T) == typeof(string))
        {
            return reader.TokenType switch
            {
                JsonTokenType.String => (T)(object)reader.GetString()!,
                JsonTokenType.Null => default!,
                _ => throw new JsonException($"Expected a string, got {Describe(reader.TokenType)}."),
            };
        }

        if (typeof(T) == typeof(RpcStreamPage))
        {
            return (T)(object)JsonStreamPages.Read(ref reader, json);
        }

        return JsonSerializer.Deserialize(ref reader, GetTypeInfo<T>())!;
    }

    private static ref Utf8JsonReader RequireNumber(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            throw new JsonException($"Expected a number, got {Describe(reader.TokenType)}.");
        }

        return ref reader;
    }

    internal static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    private static class TypeInfoCache<T>
    {
        public static volatile Entry? Last;

        public sealed record Entry(JsonSerializerOptions Options, JsonTypeInfo<T> Info);
    }
}

/// <summary>A reusable per-thread buffer and writer, so that serializing a message allocates only its result array.</summary>
internal sealed class PooledJsonWriter : IDisposable
{
    [ThreadStatic]
    private static PooledJsonWriter? t_cached;

    private readonly ArrayBufferWriter<byte> _buffer = new(256);
    private Utf8JsonWriter? _writer;
    private JsonWriterOptions _options; // as given: the writer reports a default MaxDepth of 1000 for 0

    private PooledJsonWriter()
    {
    }

    public Utf8JsonWriter Writer => _writer!;

    public static PooledJsonWriter Rent(JsonWriterOptions options)
    {
        PooledJsonWriter pooled = t_cached ?? new PooledJsonWriter();
        t_cached = null;
        if (pooled._writer is null || !OptionsEqual(pooled._options, options))
        {
            pooled._writer = new Utf8JsonWriter(pooled._buffer, options);
            pooled._options = options;
        }
        else
        {
            pooled._writer.Reset(pooled._buffer);
        }

        return pooled;
    }

    private static bool OptionsEqual(JsonWriterOptions a, JsonWriterOptions b)
        => ReferenceEquals(a.Encoder, b.Encoder) && a.Indented == b.Indented && a.SkipValidation == b.SkipValidation && a.MaxDepth == b.MaxDepth;

    /// <summary>Bytes written so far, flushed or not (the writer starts at the buffer's start).</summary>
    public int Position => (int)(_writer!.BytesCommitted + _writer.BytesPending);

    /// <summary>Bytes written so far; valid only after <see cref="Flush"/> or before the writer wrote anything.</summary>
    public int Length => _buffer.WrittenCount;

    /// <summary>Appends bytes that bypass the writer; only between the writer's values, after a <see cref="Flush"/>.</summary>
    public void WriteRaw(ReadOnlySpan<byte> bytes) => _buffer.Write(bytes);

    public void Flush() => _writer!.Flush();

    public byte[] ToArray()
    {
        _writer!.Flush();
        return _buffer.WrittenSpan.ToArray();
    }

    public void Dispose()
    {
        _buffer.ResetWrittenCount();
        if (_buffer.Capacity > 64 * 1024)
        {
            return; // let an unusually large buffer go rather than pin it to the thread
        }

        t_cached = this;
    }
}
