namespace TinyRpc.Protocols;

/// <summary>What a message on a duplex connection is, as <see cref="RpcProtocol.Classify"/> tells from its first bytes.</summary>
public enum RpcMessageKind
{
    /// <summary>Neither can be told: the message is malformed, or the protocol cannot tell.</summary>
    Unknown,

    /// <summary>A request, or a batch; also a notification when the protocol does not tell notifications apart.</summary>
    Request,

    /// <summary>A response, an error response, or a batch of them.</summary>
    Reply,

    /// <summary>
    /// A single notification (a request without an id, which expects no reply). A connection hands these to its
    /// methods in the order they came.
    /// </summary>
    Notification,
}
