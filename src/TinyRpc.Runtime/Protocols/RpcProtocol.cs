using TinyRpc.Client;
using TinyRpc.Exceptions;

namespace TinyRpc.Protocols;

/// <summary>
/// Turns messages into requests and responses and back (tinyrpc's <c>RPCProtocol</c>).
/// Usable on its own, without client, server or transport.
/// </summary>
public abstract partial class RpcProtocol
{
    /// <summary>
    /// When true (the default), <see cref="RaiseError"/> throws the reconstructed error;
    /// when false it returns it and the caller handles it.
    /// </summary>
    public bool RaisesErrors { get; set; } = true;

    /// <summary>True when responses can be matched to requests by id, so they may arrive out of order.</summary>
    public virtual bool SupportsOutOfOrder => false;

    /// <summary>A short name for logs and content negotiation, such as <c>jsonrpc</c>.</summary>
    public abstract string Name { get; }

    /// <summary>The media type of messages, such as <c>application/json</c>.</summary>
    public abstract string ContentType { get; }

    /// <summary>Starts a request whose parameters are added typed, without boxing.</summary>
    /// <param name="method">The public name of the method.</param>
    /// <param name="oneWay">True for a notification: no id, no reply expected.</param>
    public abstract RpcRequestBuilder CreateRequestBuilder(string method, bool oneWay = false);

    /// <summary>
    /// Creates a request from positional and/or named arguments (tinyrpc's <c>create_request</c>).
    /// Values are serialized by their runtime type.
    /// </summary>
    /// <exception cref="InvalidRequestException">The protocol does not accept this combination of arguments.</exception>
    public virtual RpcRequest CreateRequest(string method, IEnumerable<object?>? args = null,
        IEnumerable<KeyValuePair<string, object?>>? kwargs = null, bool oneWay = false)
    {
        RpcRequestBuilder builder = CreateRequestBuilder(method, oneWay);
        if (args is not null)
        {
            foreach (object? arg in args)
            {
                builder.Add(arg);
            }
        }

        if (kwargs is not null)
        {
            foreach (KeyValuePair<string, object?> kv in kwargs)
            {
                builder.Add(kv.Key, kv.Value);
            }
        }

        return builder.Build();
    }

    /// <summary>
    /// Parses and validates a request message (tinyrpc's <c>parse_request</c>). Returns an
    /// <see cref="RpcRequest"/>, or an <see cref="RpcBatchRequest"/> for batch protocols.
    /// </summary>
    /// <exception cref="BadRequestException">
    /// The message is not a valid request; <see cref="ErrorRespond(BadRequestException)"/> makes the reply.
    /// </exception>
    public abstract RpcMessage ParseRequest(ReadOnlyMemory<byte> data);

    /// <summary>
    /// Tells whether a message is a request or a reply without parsing it, for a connection on which both travel
    /// (<see cref="RpcConnection"/>). Reads as little as it needs; never throws. The default cannot tell.
    /// </summary>
    public virtual RpcMessageKind Classify(ReadOnlySpan<byte> message) => RpcMessageKind.Unknown;

    /// <summary>
    /// Parses and validates a reply message (tinyrpc's <c>parse_reply</c>). Returns an
    /// <see cref="RpcResponse"/> (maybe an <see cref="RpcErrorResponse"/>) or an <see cref="RpcBatchResponse"/>.
    /// </summary>
    /// <exception cref="InvalidReplyException">The message is not a valid reply.</exception>
    public abstract RpcMessage ParseReply(ReadOnlyMemory<byte> data);

    /// <summary>
    /// Creates an error response that answers no particular request (id null): for a message that
    /// could not be parsed, or a failure before the request was known.
    /// </summary>
    public abstract RpcErrorResponse CreateErrorResponse(Exception exception, RpcId id = default);

    /// <summary>
    /// The method of the notification that asks the other side of a connection to cancel a request it is running
    /// (the convention of StreamJsonRpc and the Language Server Protocol).
    /// </summary>
    public const string CancelRequestMethod = "$/cancelRequest";

    // Whether requests carry the caller's W3C trace context in members of their own (an opt-in of the protocol), and
    // the request with it added. Only JSON-RPC has a place for it; the others send requests as they are.
    internal virtual bool WritesTraceContext => false;

    internal virtual RpcRequest WithTraceContext(RpcRequest request, string traceParent, string? traceState) => request;

    /// <summary>
    /// Creates the notification that asks the other side to cancel the request with <paramref name="id"/>:
    /// <c>$/cancelRequest</c> with <c>{"id": id}</c>. A protocol without named parameters overrides it to send the
    /// id alone, by position.
    /// </summary>
    public virtual RpcRequest CreateCancelRequest(RpcId id)
    {
        RpcRequestBuilder builder = CreateRequestBuilder(CancelRequestMethod, oneWay: true);
        return (id.Kind == RpcIdKind.String ? builder.Add("id", id.Text) : builder.Add("id", id.Number)).Build();
    }

    /// <summary>
    /// Reads the id a <c>$/cancelRequest</c> notification names (by name <c>id</c>, or first by position; a number
    /// or a string). False when <paramref name="request"/> is not such a notification or names no id.
    /// </summary>
    public static bool TryReadCancelledId(RpcRequest request, out RpcId id)
    {
        ArgumentNullException.ThrowIfNull(request);
        id = default;
        if (!request.OneWay || request.Method != CancelRequestMethod)
        {
            return false;
        }

        RpcArguments args = request.Arguments;
        bool byName = args.IsNamed;
        if (!byName && args.Count == 0)
        {
            return false;
        }

        try
        {
            if (args.TryGet(0, "id", byName, out long number))
            {
                id = number;
                return true;
            }
        }
        catch (InvalidParamsException)
        {
            // Not a number: maybe a string.
        }

        try
        {
            if (args.TryGet(0, "id", byName, out string? text) && text is not null)
            {
                id = text;
                return true;
            }
        }
        catch (InvalidParamsException)
        {
        }

        return false;
    }

    /// <summary>
    /// Creates the error response that answers a message this protocol could not read as a request (tinyrpc's
    /// <c>error_respond</c> of a <c>BadRequestError</c>): the error's code and message, and the request's id when
    /// it was read before the error was found.
    /// </summary>
    public RpcErrorResponse ErrorRespond(BadRequestException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return CreateErrorResponse(error, error.RequestId);
    }

    /// <summary>
    /// Turns an error response into an exception and throws it, or returns it when
    /// <see cref="RaisesErrors"/> is false (tinyrpc's <c>raise_error</c>).
    /// </summary>
    public RpcException RaiseError(RpcErrorResponse error)
    {
        ArgumentNullException.ThrowIfNull(error);
        RpcException exception = error.ToException();
        if (RaisesErrors)
        {
            throw exception;
        }

        return exception;
    }
}
