namespace TinyRpc;

/// <summary>
/// Anything a protocol parses from or serializes to a message: a request, a batch of requests,
/// a response or a batch of responses. Match on the concrete type:
/// <code>
/// switch (protocol.ParseRequest(data))
/// {
///     case RpcBatchRequest batch: ...
///     case RpcRequest request: ...
/// }
/// </code>
/// </summary>
public abstract class RpcMessage
{
    /// <summary>The message as bytes for a transport (tinyrpc's <c>serialize</c>).</summary>
    public abstract ReadOnlyMemory<byte> Serialize();

    /// <summary>
    /// True when <see cref="Serialize"/> returns bytes this message wrote into an array of its own, which nothing
    /// writes again: a transport may keep them without a copy (see <c>IOwnedMessageSender</c>). False, the default,
    /// when they may belong to someone else, such as the buffer a message was parsed from.
    /// </summary>
    public virtual bool OwnsSerializedBytes => false;
}

/// <summary>
/// A well-formed request (tinyrpc's <c>RPCRequest</c>). Parameters stay in wire form until the
/// dispatcher asks for them typed through <see cref="Arguments"/>.
/// </summary>
public abstract class RpcRequest : RpcMessage
{
    /// <summary>The correlation id; <see cref="RpcId.None"/> for a notification.</summary>
    public abstract RpcId Id { get; }

    /// <summary>The public name of the method to call.</summary>
    public abstract string Method { get; }

    /// <summary>
    /// The method name as UTF-8, when the protocol has it without conversion; empty otherwise
    /// (then use <see cref="Method"/>). Lets generated dispatch tables match known names without allocating.
    /// </summary>
    public virtual ReadOnlySpan<byte> MethodUtf8 => default;

    /// <summary>True for a notification: the client expects no reply, not even an error.</summary>
    public abstract bool OneWay { get; }

    /// <summary>The parameters, positional or named, in wire form.</summary>
    public abstract RpcArguments Arguments { get; }

    /// <summary>
    /// The connection the request came over, when it can carry calls the other way: an <see cref="RpcConnection"/>, or
    /// a server whose transport keeps its clients connected (<see cref="Transports.IDuplexServerTransport"/>). Through it
    /// a method calls back, or notifies, the client that called it. Null over request/reply transports.
    /// </summary>
    public RpcConnection? Connection { get; internal set; }

    /// <summary>
    /// Creates the success response carrying <paramref name="result"/>, or null for a notification
    /// (tinyrpc's <c>respond</c>).
    /// </summary>
    public abstract RpcResponse? Respond<T>(T result);

    /// <summary>Creates the success response of a method that returns nothing (a null result).</summary>
    public abstract RpcResponse? Respond();

    /// <summary>
    /// Creates the error response for <paramref name="exception"/>, or null for a notification
    /// (tinyrpc's <c>error_respond</c>). An <see cref="RpcException"/> keeps its code, message and data;
    /// any other exception becomes a server error (-32000) with its message.
    /// </summary>
    public abstract RpcErrorResponse? ErrorRespond(Exception exception);

    /// <summary>Creates an error response with a server error code (-32000) and the given message.</summary>
    public RpcErrorResponse? ErrorRespond(string message) => ErrorRespond(new ServerException(message));
}

/// <summary>A response (tinyrpc's <c>RPCResponse</c>): a result, or an error when it is an <see cref="RpcErrorResponse"/>.</summary>
public abstract class RpcResponse : RpcMessage
{
    /// <summary>The id of the request this answers.</summary>
    public abstract RpcId Id { get; }

    /// <summary>True for an <see cref="RpcErrorResponse"/>.</summary>
    public virtual bool IsError => false;

    /// <summary>Decodes the result as <typeparamref name="T"/>.</summary>
    /// <exception cref="InvalidReplyException">The result cannot be read as <typeparamref name="T"/>.</exception>
    public abstract T GetResult<T>();
}

/// <summary>An error response (tinyrpc's <c>RPCErrorResponse</c>).</summary>
public abstract class RpcErrorResponse : RpcResponse
{
    /// <inheritdoc/>
    public override bool IsError => true;

    /// <summary>The numeric error code.</summary>
    public abstract int Code { get; }

    /// <summary>The error message.</summary>
    public abstract string Message { get; }

    /// <summary>True when the error carries data.</summary>
    public abstract bool HasData { get; }

    /// <summary>Decodes the error data as <typeparamref name="T"/>; default when there is none.</summary>
    public abstract T? GetData<T>();

    /// <summary>An error response has no result; this throws the error as an exception.</summary>
    public override T GetResult<T>() => throw ToException();

    /// <summary>Reconstructs the server-side error as an exception (not thrown).</summary>
    public abstract RpcException ToException();
}

/// <summary>One member of a parsed batch: a request, or the error that made the member invalid.</summary>
public readonly struct RpcBatchItem
{
    /// <summary>A valid member.</summary>
    public RpcBatchItem(RpcRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Request = request;
        Error = null;
    }

    /// <summary>An invalid member.</summary>
    public RpcBatchItem(BadRequestException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        Request = null;
        Error = error;
    }

    /// <summary>The request, when the member is valid.</summary>
    public RpcRequest? Request { get; }

    /// <summary>The error, when the member is invalid; it still deserves an error reply.</summary>
    public BadRequestException? Error { get; }

    /// <summary>True when the member is a valid request.</summary>
    public bool IsValid => Request is not null;
}

/// <summary>
/// Several requests in one message (tinyrpc's <c>RPCBatchRequest</c>). Members are handled in any
/// order; responses are gathered in the same order with <see cref="CreateBatchResponse"/>.
/// </summary>
public abstract class RpcBatchRequest : RpcMessage, IReadOnlyList<RpcBatchItem>
{
    /// <summary>The members.</summary>
    protected abstract IReadOnlyList<RpcBatchItem> Items { get; }

    /// <inheritdoc/>
    public RpcBatchItem this[int index] => Items[index];

    /// <inheritdoc/>
    public int Count => Items.Count;

    /// <summary>
    /// Creates the batch response from the members' responses (null entries are notifications and are
    /// left out), or null when no member expects a reply.
    /// </summary>
    public abstract RpcBatchResponse? CreateBatchResponse(IEnumerable<RpcResponse?> responses);

    /// <inheritdoc/>
    public IEnumerator<RpcBatchItem> GetEnumerator() => Items.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>The responses to a batch (tinyrpc's <c>RPCBatchResponse</c>), in request order.</summary>
public abstract class RpcBatchResponse : RpcMessage, IReadOnlyList<RpcResponse>
{
    /// <summary>The responses.</summary>
    protected abstract IReadOnlyList<RpcResponse> Items { get; }

    /// <inheritdoc/>
    public RpcResponse this[int index] => Items[index];

    /// <inheritdoc/>
    public int Count => Items.Count;

    /// <inheritdoc/>
    public IEnumerator<RpcResponse> GetEnumerator() => Items.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
