using System.Text;

namespace TinyRpc.Protocols.JsonRpc;

/// <summary>A JSON-RPC 2.0 request (tinyrpc's <c>JSONRPCRequest</c>).</summary>
public sealed class JsonRpcRequest : RpcRequest
{
    private readonly JsonRpcProtocol _protocol;
    private readonly ReadOnlyMemory<byte> _raw;
    private readonly ReadOnlyMemory<byte> _methodUtf8;
    private readonly bool _hasId;
    private readonly ReadOnlyMemory<byte> _rawId;
    private string? _method;
    private RpcArguments? _arguments;

    internal JsonRpcRequest(JsonRpcProtocol protocol, ReadOnlyMemory<byte> raw, ReadOnlyMemory<byte> methodUtf8,
        string? method, bool hasId, ReadOnlyMemory<byte> rawId, RpcArguments? arguments)
    {
        _protocol = protocol;
        _raw = raw;
        _methodUtf8 = method is null ? methodUtf8 : Encoding.UTF8.GetBytes(method);
        _method = method;
        _hasId = hasId;
        _rawId = rawId;
        _arguments = arguments;
    }

    /// <inheritdoc/>
    public override RpcId Id => _hasId ? JsonRpcIds.Parse(_rawId.Span) : RpcId.None;

    /// <inheritdoc/>
    public override string Method => _method ??= Encoding.UTF8.GetString(_methodUtf8.Span);

    /// <inheritdoc/>
    public override ReadOnlySpan<byte> MethodUtf8 => _methodUtf8.Span;

    /// <inheritdoc/>
    public override bool OneWay => !_hasId;

    /// <inheritdoc/>
    public override RpcArguments Arguments => _arguments ??= ReadOwnArguments();

    internal JsonRpcProtocol Protocol => _protocol;

    /// <summary>
    /// True when the request was built here into an array of its own, which nothing writes again: its bytes may be
    /// handed on without a copy. A parsed request's bytes belong to whoever passed them in.
    /// </summary>
    internal bool OwnsBytes { get; set; }

    /// <inheritdoc/>
    public override bool OwnsSerializedBytes => OwnsBytes;

    /// <summary>The id token exactly as received, echoed unchanged in the response.</summary>
    internal ReadOnlySpan<byte> RawId => _rawId.Span;

    /// <inheritdoc/>
    public override ReadOnlyMemory<byte> Serialize() => _raw;

    /// <inheritdoc/>
    public override RpcResponse? Respond<T>(T result)
        => OneWay ? null : JsonRpcSuccessResponse.Create(this, result);

    /// <inheritdoc/>
    public override RpcResponse? Respond()
        => OneWay ? null : JsonRpcSuccessResponse.Create<object?>(this, null);

    /// <inheritdoc/>
    public override RpcErrorResponse? ErrorRespond(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return OneWay ? null : JsonRpcErrorResponse.Create(this, exception);
    }

    internal override void ReadTraceContext(out string? traceParent, out string? traceState)
    {
        traceParent = null;
        traceState = null;
        try
        {
            // The message was checked when it was parsed or built: these members, if there, are strings.
            var reader = new System.Text.Json.Utf8JsonReader(_raw.Span, _protocol.ReaderOptions);
            if (!reader.Read() || reader.TokenType != System.Text.Json.JsonTokenType.StartObject)
            {
                return;
            }

            while (reader.Read() && reader.TokenType == System.Text.Json.JsonTokenType.PropertyName)
            {
                bool parent = reader.ValueTextEquals("traceparent"u8);
                bool state = !parent && reader.ValueTextEquals("tracestate"u8);
                reader.Read();
                if (reader.TokenType == System.Text.Json.JsonTokenType.String && (parent || state))
                {
                    if (parent)
                    {
                        traceParent = reader.GetString();
                    }
                    else
                    {
                        traceState = reader.GetString();
                    }
                }
                else
                {
                    reader.Skip();
                }
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // Not for a request that was parsed; then it carries no context that can be read.
        }
    }

    // A request built by a client has its arguments only as bytes; read them back on demand.
    private RpcArguments ReadOwnArguments()
        => ((JsonRpcRequest)_protocol.ParseRequest(_raw)).Arguments;
}
