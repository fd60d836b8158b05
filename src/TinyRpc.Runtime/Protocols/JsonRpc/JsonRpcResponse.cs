using System.Text.Json;

namespace TinyRpc.Protocols.JsonRpc;

/// <summary>The base of JSON-RPC responses: the serialized message and the id it answers.</summary>
public abstract class JsonRpcResponse : RpcResponse
{
    private readonly RpcId _id;
    private readonly int _idStart;
    private readonly int _idLength;

    private protected JsonRpcResponse(JsonRpcProtocol protocol, ReadOnlyMemory<byte> raw, RpcId id)
    {
        Protocol = protocol;
        Raw = raw;
        _id = id;
    }

    // The id stays in wire form, at [idStart, idStart + idLength) of raw, until asked for: a server sends most
    // responses without reading it.
    private protected JsonRpcResponse(JsonRpcProtocol protocol, ReadOnlyMemory<byte> raw, int idStart, int idLength)
    {
        Protocol = protocol;
        Raw = raw;
        _id = RpcId.Null;
        _idStart = idStart;
        _idLength = idLength;
    }

    private protected JsonRpcProtocol Protocol { get; }

    private protected ReadOnlyMemory<byte> Raw { get; }

    /// <summary>
    /// True when the response was written here into an array of its own (see <see cref="JsonRpcRequest.OwnsBytes"/>):
    /// those, and only those, keep their id in wire form.
    /// </summary>
    internal bool OwnsBytes => _idLength > 0;

    /// <inheritdoc/>
    public override bool OwnsSerializedBytes => OwnsBytes;

    /// <inheritdoc/>
    public override RpcId Id => _idLength == 0 ? _id : JsonRpcIds.Parse(Raw.Span.Slice(_idStart, _idLength));

    /// <inheritdoc/>
    public override ReadOnlyMemory<byte> Serialize() => Raw;

    internal static void WriteEnvelopeStart(Utf8JsonWriter w, JsonRpcRequest? request, RpcId id)
    {
        w.WriteStartObject();
        w.WriteString(JsonRpcNames.JsonRpc, JsonRpcNames.Version);
        w.WritePropertyName(JsonRpcNames.Id);
        if (request is not null && !request.RawId.IsEmpty)
        {
            w.WriteRawValue(request.RawId, skipInputValidation: true); // echoed exactly as received
        }
        else
        {
            JsonRpcIds.Write(w, id);
        }
    }
}
