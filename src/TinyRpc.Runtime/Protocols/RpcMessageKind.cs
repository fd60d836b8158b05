namespace TinyRpc.Protocols;

/// <summary>What a message on a duplex connection is, as <see cref="RpcProtocol.Classify"/> tells from its first bytes.</summary>
public enum RpcMessageKind
{
    /// <summary>Neither can be told: the message is malformed, or the protocol cannot tell.</summary>
    Unknown,

    /// <summary>A request, a notification, or a batch of them.</summary>
    Request,

    /// <summary>A response, an error response, or a batch of them.</summary>
    Reply,
}
