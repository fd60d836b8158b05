namespace TinyRpc.Dispatch;

/// <summary>
/// Implemented by the <see cref="Transports.RpcInboundMessage.Context"/> of a server transport whose messages (or connections)
/// arrive with a W3C trace context in the transport's own headers: HTTP and WebSocket upgrade headers, AMQP message
/// headers. The server's span of each call is then a child of that context (or, for a connection's context, linked
/// to it). docs/observability.md describes what each transport carries.
/// </summary>
public interface IRpcTraceContextCarrier
{
    /// <summary>The W3C <c>traceparent</c> the message came with; null when none.</summary>
    string? TraceParent { get; }

    /// <summary>The W3C <c>tracestate</c> the message came with; null when none.</summary>
    string? TraceState { get; }

    /// <summary>
    /// True when the context is that of the connection the message came over rather than of the message: the
    /// connection may outlive the trace it was opened in, so call spans link to it instead of being its children.
    /// </summary>
    bool IsConnectionContext { get; }
}
