using System.Text.Json;

namespace TinyRpc.Exceptions;

/// <summary>
/// The client-side reconstruction of an error the server sent (tinyrpc's <c>JSONRPCError</c>):
/// <see cref="RpcException.Code"/>, <see cref="Exception.Message"/> and the <c>data</c> member,
/// available as a <see cref="JsonElement"/> in <see cref="RpcException.ErrorData"/> and typed through <see cref="GetData{T}"/>.
/// </summary>
public class JsonRpcException : RpcException
{
    private readonly ReadOnlyMemory<byte> _rawData;
    private readonly IErrorDataReader _reader;

    internal JsonRpcException(IErrorDataReader reader, int code, string message, ReadOnlyMemory<byte> rawData, RpcId id)
        : base(code, message, rawData.IsEmpty ? null : ParseElement(rawData.Span))
    {
        _reader = reader;
        _rawData = rawData;
        RequestId = id;
    }

    /// <summary>The id of the request the error answers.</summary>
    public RpcId RequestId { get; }

    /// <inheritdoc/>
    public override bool HasData => !_rawData.IsEmpty;

    /// <summary>The <c>data</c> member exactly as it was received, or empty.</summary>
    public ReadOnlyMemory<byte> RawData => _rawData;

    /// <inheritdoc/>
    /// <exception cref="InvalidCastException">The data cannot be read as <typeparamref name="T"/>.</exception>
    public override T? GetData<T>() where T : default
    {
        if (_rawData.IsEmpty)
        {
            return default;
        }

        return _reader.ReadErrorData<T>(_rawData);
    }

    private static JsonElement ParseElement(ReadOnlySpan<byte> raw)
    {
        var reader = new Utf8JsonReader(raw);
        return JsonElement.ParseValue(ref reader);
    }
}
