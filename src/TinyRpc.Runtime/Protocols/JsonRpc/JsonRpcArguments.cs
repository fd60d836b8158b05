using System.Text.Json;
using TinyRpc.Exceptions;

namespace TinyRpc.Protocols.JsonRpc;

/// <summary>
/// JSON-RPC parameters as offsets into the message: each value is decoded only when asked for,
/// straight from its bytes into the requested type.
/// </summary>
internal sealed class JsonRpcArguments : RpcArguments
{
    public static readonly JsonRpcArguments None = new(null, default, null, default, default, null, 0);

    private readonly JsonRpcProtocol? _protocol;
    private readonly ReadOnlyMemory<byte> _message;
    private readonly string[]? _names;
    // Where each value lies in _message. The first two are kept inline, so that the common short
    // parameter lists cost no array.
    private readonly ValueSpan _span0;
    private readonly ValueSpan _span1;
    private readonly ValueSpan[]? _more;
    private readonly int _count;

    private JsonRpcArguments(JsonRpcProtocol? protocol, ReadOnlyMemory<byte> message, string[]? names,
        ValueSpan span0, ValueSpan span1, ValueSpan[]? more, int count)
    {
        _protocol = protocol;
        _message = message;
        _names = names;
        _span0 = span0;
        _span1 = span1;
        _more = more;
        _count = count;
    }

    public override bool IsNamed => _names is not null;

    public override int Count => _count;

    public override string GetName(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_count, nameof(index));
        return _names is null ? throw new InvalidOperationException("The parameters are positional.") : _names[index];
    }

    public override bool Contains(string name) => IndexOf(name) >= 0;

    public override bool IsNull(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_count, nameof(index));
        return _message.Span[SpanOf(index).Start] == (byte)'n';
    }

    public override bool TryGet<T>(int index, string parameterName, out T value)
    {
        if ((uint)index >= (uint)_count || _names is not null)
        {
            value = default!;
            return false;
        }

        value = Decode<T>(index, parameterName);
        return true;
    }

    public override bool TryGet<T>(string name, out T value)
    {
        int index = IndexOf(name);
        if (index < 0)
        {
            value = default!;
            return false;
        }

        value = Decode<T>(index, name);
        return true;
    }

    /// <summary>The raw JSON of parameter <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> GetRaw(int index)
    {
        ValueSpan span = SpanOf(index);
        return _message.Span.Slice(span.Start, span.Length);
    }

    private ValueSpan SpanOf(int index) => index switch
    {
        0 => _span0,
        1 => _span1,
        _ => _more![index - 2],
    };

    private int IndexOf(string name)
    {
        if (_names is null)
        {
            return -1;
        }

        for (int i = 0; i < _count; i++)
        {
            if (string.Equals(_names[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private T Decode<T>(int index, string parameterName)
    {
        ReadOnlySpan<byte> raw = GetRaw(index);
        try
        {
            return _protocol!.Codec.Read<T>(raw);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or NotSupportedException or ArgumentException)
        {
            throw new InvalidParamsException(parameterName, $"cannot be read as {TypeNames.Describe(typeof(T))}: {e.Message}", e);
        }
    }

    // Reads "params" (the reader is on its StartArray or StartObject) and leaves the reader on its end.
    public static JsonRpcArguments Read(JsonRpcProtocol protocol, ref Utf8JsonReader reader, ReadOnlyMemory<byte> message, ref string? error)
    {
        bool named = reader.TokenType == JsonTokenType.StartObject;
        JsonTokenType end = named ? JsonTokenType.EndObject : JsonTokenType.EndArray;
        ValueSpan span0 = default, span1 = default;
        ValueSpan[]? more = null;
        List<string>? names = named ? new List<string>() : null;
        HashSet<string>? seen = null; // only for long parameter objects, where a linear scan would be quadratic
        int count = 0;
        while (reader.Read() && reader.TokenType != end)
        {
            if (named)
            {
                string name = reader.GetString()!;
                if (names!.Count == 16)
                {
                    seen = new HashSet<string>(names, StringComparer.Ordinal);
                }

                if (seen is null ? names.Contains(name) : !seen.Add(name))
                {
                    error ??= $"Parameter '{name}' is named more than once.";
                }

                names.Add(name);
                reader.Read();
            }

            int start = (int)reader.TokenStartIndex;
            reader.Skip();
            var span = new ValueSpan(start, (int)reader.BytesConsumed - start);
            switch (count)
            {
                case 0:
                    span0 = span;
                    break;
                case 1:
                    span1 = span;
                    break;
                default:
                    more ??= new ValueSpan[4];
                    if (count - 2 == more.Length)
                    {
                        Array.Resize(ref more, more.Length * 2);
                    }

                    more[count - 2] = span;
                    break;
            }

            count++;
        }

        return new JsonRpcArguments(protocol, message, names?.ToArray(), span0, span1, more, count);
    }

    private readonly record struct ValueSpan(int Start, int Length);
}
