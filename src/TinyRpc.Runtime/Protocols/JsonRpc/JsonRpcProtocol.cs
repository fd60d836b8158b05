using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;
using TinyRpc.Exceptions;

namespace TinyRpc.Protocols.JsonRpc;

/// <summary>
/// JSON-RPC 2.0 (tinyrpc's <c>JSONRPCProtocol</c>): requests by position or by name, notifications,
/// batches, error objects with code, message and data. Messages are read with <see cref="Utf8JsonReader"/>
/// in one pass; parameters stay as JSON until the dispatcher asks for them typed.
/// </summary>
/// <remarks>
/// Rules beyond the specification: a request object with a member other than <c>jsonrpc</c>,
/// <c>method</c>, <c>params</c> and <c>id</c> (and the W3C trace context members <c>traceparent</c> and
/// <c>tracestate</c>, which StreamJsonRpc writes and which must be strings), or with a member twice, is an Invalid Request
/// (named parameters given twice too). Replies may carry extra members. One rule is more lenient than the
/// specification, as tinyrpc is: <c>"params": null</c> reads as no parameters, like a missing <c>params</c>.
/// </remarks>
public sealed partial class JsonRpcProtocol : RpcBatchProtocol
{
    /// <summary>The protocol version written and required (tinyrpc's <c>JSON_RPC_VERSION</c>).</summary>
    public const string JsonRpcVersion = "2.0";

    internal static readonly JsonRpcProtocol Shared = new();

    private long _nextId;

    /// <summary>Creates the protocol with default settings.</summary>
    public JsonRpcProtocol()
        : this(new JsonRpcProtocolOptions())
    {
    }

    /// <summary>Creates the protocol with the given serializer options (for instance a source-generated context's).</summary>
    public JsonRpcProtocol(JsonSerializerOptions serializerOptions)
        : this(new JsonRpcProtocolOptions { SerializerOptions = serializerOptions })
    {
    }

    /// <summary>Creates the protocol with the given settings.</summary>
    public JsonRpcProtocol(JsonRpcProtocolOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxDepth, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxBatchLength, 1);
        MaxDepth = options.MaxDepth;
        MaxBatchLength = options.MaxBatchLength;
        PropagateTraceContext = options.PropagateTraceContext;
        Codec = new JsonValueCodec(options.SerializerOptions);
        ReaderOptions = new JsonReaderOptions { MaxDepth = MaxDepth, CommentHandling = JsonCommentHandling.Disallow };
    }

    /// <inheritdoc/>
    public override string Name => "jsonrpc";

    /// <inheritdoc/>
    public override string ContentType => "application/json";

    /// <summary>True: responses carry the request id, so they can be matched in any order.</summary>
    public override bool SupportsOutOfOrder => true;

    /// <inheritdoc/>
    /// <remarks>
    /// An object with a <c>method</c> member is a request; one with <c>result</c> or <c>error</c> first is a reply. A batch
    /// is what its first member is. Members are read in order, values skipped, until one of those names.
    /// </remarks>
    public override RpcMessageKind Classify(ReadOnlySpan<byte> message)
    {
        var reader = new Utf8JsonReader(message, new JsonReaderOptions { MaxDepth = MaxDepth });
        bool method = false, id = false;
        try
        {
            if (!reader.Read())
            {
                return RpcMessageKind.Unknown;
            }

            bool batch = reader.TokenType == JsonTokenType.StartArray;
            if ((batch && !reader.Read()) || reader.TokenType != JsonTokenType.StartObject)
            {
                return RpcMessageKind.Unknown;
            }

            // A reply has "result" or "error"; a request "method", and a notification no "id" (members come in any
            // order, so telling a notification reads the whole object; a batch is a request either way).
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("result"u8) || reader.ValueTextEquals("error"u8))
                {
                    return RpcMessageKind.Reply;
                }

                if (reader.ValueTextEquals("method"u8))
                {
                    if (batch || id)
                    {
                        return RpcMessageKind.Request;
                    }

                    method = true;
                }
                else if (reader.ValueTextEquals("id"u8))
                {
                    if (method)
                    {
                        return RpcMessageKind.Request;
                    }

                    id = true;
                }

                if (!reader.TrySkip())
                {
                    break;
                }
            }

            if (method)
            {
                return reader.TokenType == JsonTokenType.EndObject ? RpcMessageKind.Notification : RpcMessageKind.Request;
            }
        }
        catch (JsonException)
        {
            // Malformed after its method: a request, which the parser will answer with its error.
        }

        return method ? RpcMessageKind.Request : RpcMessageKind.Unknown;
    }

    /// <summary>The deepest nesting accepted in a message.</summary>
    public int MaxDepth { get; }

    /// <summary>The most requests accepted in one batch.</summary>
    public int MaxBatchLength { get; }

    /// <summary>The effective serializer options (the user's resolver first, then the built-in one).</summary>
    public JsonSerializerOptions SerializerOptions => Codec.Options;

    internal JsonValueCodec Codec { get; }

    internal JsonReaderOptions ReaderOptions { get; }

    /// <summary>Whether requests sent carry the caller's trace context; see <see cref="JsonRpcProtocolOptions.PropagateTraceContext"/>.</summary>
    public bool PropagateTraceContext { get; }

    internal override bool WritesTraceContext => PropagateTraceContext;

    // The members go last, after the id: the request's bytes up to its closing brace stay as they are.
    internal override RpcRequest WithTraceContext(RpcRequest request, string traceParent, string? traceState)
    {
        if (!PropagateTraceContext || request is not JsonRpcRequest json)
        {
            return request;
        }

        json.ReadTraceContext(out string? carried, out _);
        if (carried is not null)
        {
            return request; // a request passed on (through a reconnecting transport, say) keeps its caller's context
        }

        ReadOnlySpan<byte> raw = json.Serialize().Span;
        int close = raw.LastIndexOf((byte)'}');
        using PooledJsonWriter pooled = PooledJsonWriter.Rent(Codec.WriterOptions);
        pooled.WriteRaw(raw[..close]);
        pooled.WriteRaw(","u8);
        Utf8JsonWriter w = pooled.Writer;
        w.WriteStartObject();
        w.WriteString("traceparent"u8, traceParent);
        if (traceState is not null)
        {
            w.WriteString("tracestate"u8, traceState);
        }

        w.WriteEndObject();
        w.Flush();
        byte[] written = pooled.ToArray();

        // The writer's object opened with a brace of its own, right after the comma: drop it.
        byte[] bytes = new byte[written.Length - 1];
        written.AsSpan(0, close + 1).CopyTo(bytes);
        written.AsSpan(close + 2).CopyTo(bytes.AsSpan(close + 1));
        var rewritten = (JsonRpcRequest)ParseRequest(bytes);
        rewritten.OwnsBytes = true;
        return rewritten;
    }

    /// <summary>Returns a new request id; unique per protocol instance and safe to call from many threads.</summary>
    public long NextId() => Interlocked.Increment(ref _nextId);

    /// <inheritdoc/>
    public override RpcRequestBuilder CreateRequestBuilder(string method, bool oneWay = false)
    {
        ArgumentNullException.ThrowIfNull(method);
        return new JsonRpcRequestBuilder(this, method, oneWay);
    }

    /// <inheritdoc/>
    /// <exception cref="JsonRpcInvalidRequestException">Both <paramref name="args"/> and <paramref name="kwargs"/> hold values.</exception>
    public override RpcRequest CreateRequest(string method, IEnumerable<object?>? args = null,
        IEnumerable<KeyValuePair<string, object?>>? kwargs = null, bool oneWay = false)
    {
        if (args is not null && kwargs is not null && args.Any() && kwargs.Any())
        {
            throw new JsonRpcInvalidRequestException("JSON-RPC does not allow positional and named parameters at once.");
        }

        return base.CreateRequest(method, args, kwargs, oneWay);
    }

    /// <inheritdoc/>
    public override RpcBatchRequest CreateBatchRequest(IEnumerable<RpcRequest> requests)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var items = new List<RpcBatchItem>();
        foreach (RpcRequest request in requests)
        {
            items.Add(new RpcBatchItem(request));
        }

        return new JsonRpcBatchRequest(this, items);
    }

    /// <inheritdoc/>
    public override RpcErrorResponse CreateErrorResponse(Exception exception, RpcId id = default)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return JsonRpcErrorResponse.Create(this, exception, id.IsNone ? RpcId.Null : id);
    }

    /// <inheritdoc/>
    /// <exception cref="JsonRpcParseException">The message is not valid JSON, or nests deeper than <see cref="MaxDepth"/>.</exception>
    /// <exception cref="JsonRpcInvalidRequestException">The message is not a valid request, or a batch is empty or too long.</exception>
    public override RpcMessage ParseRequest(ReadOnlyMemory<byte> data)
    {
        // Utf8JsonReader checks the UTF-8 of strings only when they are decoded; check it all at once,
        // so that a malformed method name or id is a parse error rather than garbage echoed to the client.
        if (!Utf8.IsValid(data.Span))
        {
            throw ParseError("The message is not valid UTF-8.");
        }

        var reader = new Utf8JsonReader(data.Span, ReaderOptions);
        try
        {
            if (!reader.Read())
            {
                throw ParseError("The message is empty.");
            }

            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                {
                    RpcBatchItem item = ReadRequestObject(ref reader, data);
                    EnsureEnd(ref reader);
                    return item.Request ?? throw item.Error!;
                }

                case JsonTokenType.StartArray:
                    return ReadBatch(ref reader, data);

                default:
                    JsonTokenType token = reader.TokenType;
                    reader.Skip();
                    EnsureEnd(ref reader);
                    throw InvalidRequest("A request must be an object or an array of objects, not " + JsonValueCodec.Describe(token) + ".", RpcId.Null);
            }
        }
        catch (JsonException e)
        {
            throw ParseError(e.Message, e);
        }
        catch (InvalidOperationException e)
        {
            // Utf8JsonReader.GetString reports invalid UTF-8 inside a string this way.
            throw ParseError(e.Message, e);
        }
    }

    private JsonRpcBatchRequest ReadBatch(ref Utf8JsonReader reader, ReadOnlyMemory<byte> data)
    {
        var items = new List<RpcBatchItem>();
        int count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            count++;
            if (count > MaxBatchLength)
            {
                reader.Skip(); // keep reading only to tell invalid JSON from a long batch
                continue;
            }

            if (reader.TokenType == JsonTokenType.StartObject)
            {
                items.Add(ReadRequestObject(ref reader, data));
            }
            else
            {
                JsonTokenType token = reader.TokenType;
                reader.Skip();
                items.Add(new RpcBatchItem(InvalidRequest("A batch member must be an object, not " + JsonValueCodec.Describe(token) + ".", RpcId.Null)));
            }
        }

        EnsureEnd(ref reader);
        if (count > MaxBatchLength)
        {
            throw InvalidRequest(string.Create(CultureInfo.InvariantCulture, $"The batch holds {count} requests; at most {MaxBatchLength} are allowed."), RpcId.Null);
        }

        if (count == 0)
        {
            throw InvalidRequest("The batch is empty.", RpcId.Null);
        }

        return new JsonRpcBatchRequest(this, items);
    }

    private static void EnsureEnd(ref Utf8JsonReader reader)
    {
        if (reader.Read())
        {
            throw new JsonException("Unexpected data after the end of the message.");
        }
    }

    [Flags]
    private enum Seen
    {
        None = 0,
        JsonRpc = 1,
        Method = 2,
        Params = 4,
        Id = 8,
        TraceParent = 16,
        TraceState = 32,
    }

    // Reads one request object (the reader is on its StartObject) to its end. Semantic errors are
    // collected, not thrown, so that the rest of the message is still read and invalid JSON anywhere
    // is reported as a parse error, as the specification's batch examples require.
    private RpcBatchItem ReadRequestObject(ref Utf8JsonReader reader, ReadOnlyMemory<byte> data)
    {
        int start = (int)reader.TokenStartIndex;
        Seen seen = Seen.None;
        string? error = null;
        bool versionOk = false;
        int methodStart = 0, methodLength = 0;
        string? escapedMethod = null;
        int idStart = 0, idLength = 0;
        bool idValid = false;
        JsonRpcArguments? arguments = null;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            Seen member = reader.ValueTextEquals("jsonrpc"u8) ? Seen.JsonRpc
                : reader.ValueTextEquals("method"u8) ? Seen.Method
                : reader.ValueTextEquals("params"u8) ? Seen.Params
                : reader.ValueTextEquals("id"u8) ? Seen.Id
                : reader.ValueTextEquals("traceparent"u8) ? Seen.TraceParent
                : reader.ValueTextEquals("tracestate"u8) ? Seen.TraceState
                : Seen.None;
            string? unknownName = member == Seen.None ? reader.GetString() : null;
            reader.Read();

            if (member == Seen.None)
            {
                error ??= $"Unknown member '{unknownName}'.";
                reader.Skip();
                continue;
            }

            if ((seen & member) != 0)
            {
                error ??= $"Member '{member.ToString().ToLowerInvariant()}' appears more than once.";
                if (member == Seen.Id)
                {
                    idValid = false; // the id is ambiguous; the specification wants null then
                }

                reader.Skip();
                continue;
            }

            seen |= member;
            switch (member)
            {
                case Seen.JsonRpc:
                    versionOk = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("2.0"u8);
                    if (!versionOk)
                    {
                        error ??= "Member 'jsonrpc' must be exactly \"2.0\".";
                    }

                    reader.Skip();
                    break;

                case Seen.Method:
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        if (reader.ValueIsEscaped)
                        {
                            escapedMethod = reader.GetString();
                        }
                        else
                        {
                            methodStart = (int)reader.TokenStartIndex + 1;
                            methodLength = reader.ValueSpan.Length;
                        }
                    }
                    else
                    {
                        error ??= "Member 'method' must be a string, not " + JsonValueCodec.Describe(reader.TokenType) + ".";
                        reader.Skip();
                    }

                    break;

                case Seen.Params:
                    if (reader.TokenType is JsonTokenType.StartArray or JsonTokenType.StartObject)
                    {
                        string? paramsError = null;
                        arguments = JsonRpcArguments.Read(this, ref reader, data, ref paramsError);
                        error ??= paramsError;
                    }
                    else if (reader.TokenType == JsonTokenType.Null)
                    {
                        // Read as "no parameters", as tinyrpc does: several clients send null where the
                        // specification lets them leave the member out.
                    }
                    else
                    {
                        error ??= "Member 'params' must be an array or an object, not " + JsonValueCodec.Describe(reader.TokenType) + ".";
                        reader.Skip();
                    }

                    break;

                case Seen.Id:
                    if (reader.TokenType is JsonTokenType.String or JsonTokenType.Number or JsonTokenType.Null)
                    {
                        idStart = (int)reader.TokenStartIndex;
                        idLength = (int)reader.BytesConsumed - idStart;
                        idValid = true;
                    }
                    else
                    {
                        error ??= "Member 'id' must be a string, a number or null, not " + JsonValueCodec.Describe(reader.TokenType) + ".";
                        reader.Skip();
                    }

                    break;

                case Seen.TraceParent or Seen.TraceState:
                    // W3C trace context, where StreamJsonRpc puts it: only its shape is checked here; it is read from
                    // the message when a span needs it (JsonRpcRequest.ReadTraceContext).
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        error ??= $"Member '{member.ToString().ToLowerInvariant()}' must be a string, not " + JsonValueCodec.Describe(reader.TokenType) + ".";
                        reader.Skip();
                    }

                    break;
            }
        }

        int end = (int)reader.BytesConsumed;
        if (error is null && (seen & Seen.JsonRpc) == 0)
        {
            error = "Member 'jsonrpc' is missing.";
        }

        if (error is null && (seen & Seen.Method) == 0)
        {
            error = "Member 'method' is missing.";
        }

        ReadOnlyMemory<byte> rawId = idValid ? data.Slice(idStart, idLength) : default;
        if (error is not null)
        {
            RpcId id = idValid ? JsonRpcIds.Parse(rawId.Span) : RpcId.Null;
            return new RpcBatchItem(InvalidRequest(error, id));
        }

        return new RpcBatchItem(new JsonRpcRequest(
            this,
            data.Slice(start, end - start),
            escapedMethod is null ? data.Slice(methodStart, methodLength) : default,
            escapedMethod,
            (seen & Seen.Id) != 0,
            rawId,
            arguments ?? JsonRpcArguments.None));
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidReplyException">The message is not valid JSON or not a valid JSON-RPC 2.0 reply.</exception>
    public override RpcMessage ParseReply(ReadOnlyMemory<byte> data)
    {
        if (!Utf8.IsValid(data.Span))
        {
            throw new InvalidReplyException("The reply is not valid UTF-8.");
        }

        var reader = new Utf8JsonReader(data.Span, ReaderOptions);
        try
        {
            if (!reader.Read())
            {
                throw new InvalidReplyException("The reply is empty.");
            }

            RpcMessage result;
            if (reader.TokenType == JsonTokenType.StartObject)
            {
                result = ReadResponseObject(ref reader, data);
            }
            else if (reader.TokenType == JsonTokenType.StartArray)
            {
                var items = new List<RpcResponse>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        throw new InvalidReplyException("A batch reply member must be an object, not " + JsonValueCodec.Describe(reader.TokenType) + ".");
                    }

                    items.Add(ReadResponseObject(ref reader, data));
                }

                if (items.Count == 0)
                {
                    throw new InvalidReplyException("The batch reply is empty.");
                }

                result = new JsonRpcBatchResponse(items);
            }
            else
            {
                throw new InvalidReplyException("A reply must be an object or an array, not " + JsonValueCodec.Describe(reader.TokenType) + ".");
            }

            EnsureEnd(ref reader);
            return result;
        }
        catch (JsonException e)
        {
            throw new InvalidReplyException("The reply is not valid JSON: " + e.Message, e);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException)
        {
            throw new InvalidReplyException("The reply is not valid JSON-RPC: " + e.Message, e);
        }
    }

    private RpcResponse ReadResponseObject(ref Utf8JsonReader reader, ReadOnlyMemory<byte> data)
    {
        int start = (int)reader.TokenStartIndex;
        bool version = false, hasId = false, hasResult = false, hasError = false;
        RpcId id = RpcId.Null;
        int resultStart = 0, resultLength = 0;
        int? code = null;
        string? message = null;
        ReadOnlyMemory<byte> errorData = default;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("jsonrpc"u8))
            {
                reader.Read();
                version = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("2.0"u8);
                reader.Skip();
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                hasId = true;
                id = reader.TokenType switch
                {
                    JsonTokenType.Null => RpcId.Null,
                    JsonTokenType.String or JsonTokenType.Number => JsonRpcIds.Parse(data.Span.Slice((int)reader.TokenStartIndex, (int)reader.BytesConsumed - (int)reader.TokenStartIndex)),
                    _ => throw new InvalidReplyException("Member 'id' must be a string, a number or null."),
                };
            }
            else if (reader.ValueTextEquals("result"u8))
            {
                reader.Read();
                hasResult = true;
                resultStart = (int)reader.TokenStartIndex;
                reader.Skip();
                resultLength = (int)reader.BytesConsumed - resultStart;
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                reader.Read();
                hasError = true;
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    throw new InvalidReplyException("Member 'error' must be an object.");
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("code"u8))
                    {
                        reader.Read();
                        code = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out int c)
                            ? c
                            : throw new InvalidReplyException("Member 'error.code' must be an integer.");
                    }
                    else if (reader.ValueTextEquals("message"u8))
                    {
                        reader.Read();
                        message = reader.TokenType == JsonTokenType.String
                            ? reader.GetString()
                            : throw new InvalidReplyException("Member 'error.message' must be a string.");
                    }
                    else if (reader.ValueTextEquals("data"u8))
                    {
                        reader.Read();
                        int dataStart = (int)reader.TokenStartIndex;
                        reader.Skip();
                        errorData = data.Slice(dataStart, (int)reader.BytesConsumed - dataStart);
                    }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (!version)
        {
            throw new InvalidReplyException("Member 'jsonrpc' must be exactly \"2.0\".");
        }

        if (!hasId)
        {
            throw new InvalidReplyException("Member 'id' is missing.");
        }

        if (hasResult == hasError)
        {
            throw new InvalidReplyException("A reply must have exactly one of 'result' and 'error'.");
        }

        ReadOnlyMemory<byte> raw = data.Slice(start, (int)reader.BytesConsumed - start);
        if (hasError)
        {
            if (code is null || message is null)
            {
                throw new InvalidReplyException("Member 'error' must have an integer 'code' and a string 'message'.");
            }

            return new JsonRpcErrorResponse(this, raw, id, code.Value, message, errorData);
        }

        return new JsonRpcSuccessResponse(this, raw, id, resultStart - start, resultLength);
    }

    internal static JsonRpcParseException ParseError(string detail, Exception? inner = null)
        => new(detail, inner) { RequestId = RpcId.Null };

    internal static JsonRpcInvalidRequestException InvalidRequest(string detail, RpcId id)
        => new(detail) { RequestId = id };
}
