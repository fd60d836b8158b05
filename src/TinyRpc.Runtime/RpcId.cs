using System.Globalization;
using System.Text;

namespace TinyRpc;

/// <summary>
/// The correlation id of a request and its response (tinyrpc's <c>unique_id</c>): absent, null,
/// a number or a string. Value equality; <c>1</c> and <c>"1"</c> are different ids.
/// </summary>
/// <remarks>
/// A received number that is not an integer in the range of <see cref="long"/> (discouraged by
/// JSON-RPC, but allowed) is still a <see cref="RpcIdKind.Number"/> id: it keeps its exact text,
/// is echoed digit for digit and equals only a number with the same text; <see cref="Number"/> throws for it.
/// </remarks>
public readonly struct RpcId : IEquatable<RpcId>
{
    private readonly long _number;
    private readonly string? _string; // the string of a String id, or the exact text of a Number id that is not a long

    private RpcId(RpcIdKind kind, long number, string? text)
    {
        Kind = kind;
        _number = number;
        _string = text;
    }

    /// <summary>No id (a notification).</summary>
    public static RpcId None => default;

    /// <summary>The explicit null id.</summary>
    public static RpcId Null => new(RpcIdKind.Null, 0, null);

    /// <summary>What this id holds.</summary>
    public RpcIdKind Kind { get; }

    /// <summary>True for <see cref="RpcIdKind.None"/>.</summary>
    public bool IsNone => Kind == RpcIdKind.None;

    /// <summary>The integer value; throws unless <see cref="Kind"/> is <see cref="RpcIdKind.Number"/> and the number is a <see cref="long"/>.</summary>
    public long Number => Kind == RpcIdKind.Number
        ? _string is null ? _number : throw new InvalidOperationException($"The id {_string} is not an integer that fits a long.")
        : throw new InvalidOperationException($"The id is {Kind}, not a number.");

    /// <summary>The string value; throws unless <see cref="Kind"/> is <see cref="RpcIdKind.String"/>.</summary>
    public string Text => Kind == RpcIdKind.String ? _string! : throw new InvalidOperationException($"The id is {Kind}, not a string.");

    /// <summary>Creates an integer id.</summary>
    public static RpcId FromNumber(long value) => new(RpcIdKind.Number, value, null);

    /// <summary>The exact text of a number id that is not a <see cref="long"/>, else null.</summary>
    internal string? NumberText => Kind == RpcIdKind.Number ? _string : null;

    /// <summary>Creates a number id from the exact JSON text of a number that does not fit a <see cref="long"/>.</summary>
    internal static RpcId FromNumberText(string json) => new(RpcIdKind.Number, 0, json);

    /// <summary>Creates a string id.</summary>
    public static RpcId FromString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(RpcIdKind.String, 0, value);
    }

    /// <summary>Converts an integer to an id.</summary>
    public static implicit operator RpcId(long value) => FromNumber(value);

    /// <summary>Converts a string to an id; null becomes <see cref="Null"/>.</summary>
    public static implicit operator RpcId(string? value) => value is null ? Null : FromString(value);

    /// <inheritdoc/>
    public bool Equals(RpcId other) => Kind == other.Kind && Kind switch
    {
        RpcIdKind.Number => _number == other._number && string.Equals(_string, other._string, StringComparison.Ordinal),
        RpcIdKind.String => string.Equals(_string, other._string, StringComparison.Ordinal),
        _ => true,
    };

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is RpcId other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => Kind switch
    {
        RpcIdKind.Number => _string is null ? _number.GetHashCode() : StringComparer.Ordinal.GetHashCode(_string),
        RpcIdKind.String => StringComparer.Ordinal.GetHashCode(_string!),
        _ => (int)Kind,
    };

    /// <summary>Value equality.</summary>
    public static bool operator ==(RpcId left, RpcId right) => left.Equals(right);

    /// <summary>Value inequality.</summary>
    public static bool operator !=(RpcId left, RpcId right) => !left.Equals(right);

    private static string Quote(string text)
    {
        var builder = new StringBuilder(text.Length + 2).Append('"');
        foreach (char c in text)
        {
            _ = c switch
            {
                '"' => builder.Append("\\\""),
                '\\' => builder.Append("\\\\"),
                '\n' => builder.Append("\\n"),
                '\r' => builder.Append("\\r"),
                '\t' => builder.Append("\\t"),
                < ' ' => builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)),
                _ => builder.Append(c),
            };
        }

        return builder.Append('"').ToString();
    }

    /// <summary>The id as it would appear in JSON: <c>42</c>, <c>"abc"</c>, <c>null</c>, or empty for none.</summary>
    public override string ToString() => Kind switch
    {
        RpcIdKind.Number => _string ?? _number.ToString(CultureInfo.InvariantCulture),
        RpcIdKind.String => Quote(_string!),
        RpcIdKind.Null => "null",
        _ => string.Empty,
    };
}
