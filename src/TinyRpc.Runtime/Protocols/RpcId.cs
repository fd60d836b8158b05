using System.Globalization;

namespace TinyRpc;

/// <summary>What an <see cref="RpcId"/> holds.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720", Justification = "Named after the JSON value kinds, as JsonTokenType is.")]
public enum RpcIdKind
{
    /// <summary>No id: the message is a notification (one-way request).</summary>
    None = 0,

    /// <summary>An explicit null id, as in error responses whose request id could not be read.</summary>
    Null,

    /// <summary>An integer id.</summary>
    Number,

    /// <summary>A string id.</summary>
    String,
}

/// <summary>
/// The correlation id of a request and its response (tinyrpc's <c>unique_id</c>): absent, null,
/// an integer or a string. Value equality; <c>1</c> and <c>"1"</c> are different ids.
/// </summary>
public readonly struct RpcId : IEquatable<RpcId>
{
    private readonly long _number;
    private readonly string? _string;

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

    /// <summary>The integer value; throws unless <see cref="Kind"/> is <see cref="RpcIdKind.Number"/>.</summary>
    public long Number => Kind == RpcIdKind.Number ? _number : throw new InvalidOperationException($"The id is {Kind}, not a number.");

    /// <summary>The string value; throws unless <see cref="Kind"/> is <see cref="RpcIdKind.String"/>.</summary>
    public string Text => Kind == RpcIdKind.String ? _string! : throw new InvalidOperationException($"The id is {Kind}, not a string.");

    /// <summary>Creates an integer id.</summary>
    public static RpcId FromNumber(long value) => new(RpcIdKind.Number, value, null);

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
        RpcIdKind.Number => _number == other._number,
        RpcIdKind.String => string.Equals(_string, other._string, StringComparison.Ordinal),
        _ => true,
    };

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is RpcId other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => Kind switch
    {
        RpcIdKind.Number => _number.GetHashCode(),
        RpcIdKind.String => StringComparer.Ordinal.GetHashCode(_string!),
        _ => (int)Kind,
    };

    /// <summary>Value equality.</summary>
    public static bool operator ==(RpcId left, RpcId right) => left.Equals(right);

    /// <summary>Value inequality.</summary>
    public static bool operator !=(RpcId left, RpcId right) => !left.Equals(right);

    /// <summary>The id as it would appear in JSON: <c>42</c>, <c>"abc"</c>, <c>null</c>, or empty for none.</summary>
    public override string ToString() => Kind switch
    {
        RpcIdKind.Number => _number.ToString(CultureInfo.InvariantCulture),
        RpcIdKind.String => "\"" + _string + "\"",
        RpcIdKind.Null => "null",
        _ => string.Empty,
    };
}
