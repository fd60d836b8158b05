using TinyRpc.Exceptions;

namespace TinyRpc.Protocols;

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

    // The connection the request came over, when it can carry calls the other way; read as
    // TinyRpc.Client.RpcConnection.Of(request). Typed object so that protocols know nothing of connections.
    internal object? Connection { get; set; }

    // What the responder that received the request knows of it, for TinyRpc.Server.RpcCallContext: the context the
    // transport gave the message (RpcInboundMessage.Context) and the protocol that parsed it. Null when the request
    // was dispatched without a responder.
    internal object? TransportContext { get; set; }

    internal RpcProtocol? ReceivedProtocol { get; set; }

    // The W3C trace context the request carries in its own members (JSON-RPC's top-level traceparent and tracestate,
    // as StreamJsonRpc writes them); nulls when it carries none. Read from the message on demand, only when someone
    // listens for spans, so that a request object is no larger for it.
    internal virtual void ReadTraceContext(out string? traceParent, out string? traceState)
    {
        traceParent = null;
        traceState = null;
    }

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
