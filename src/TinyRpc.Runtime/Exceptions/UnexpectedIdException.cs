namespace TinyRpc.Exceptions;

/// <summary>
/// A reply carries an id that matches no call it could answer (tinyrpc's <c>UnexpectedIDError</c>): over a
/// transport that carries one exchange at a time (HTTP, ZeroMQ REQ), the reply's id differs from the request's.
/// </summary>
public class UnexpectedIdException : InvalidReplyException
{
    /// <summary>
    /// Creates the error for a reply with <paramref name="replyId"/> to a request with <paramref name="requestId"/>
    /// (<see cref="RpcId.None"/> for a batch, whose requests have several).
    /// </summary>
    public UnexpectedIdException(RpcId requestId, RpcId replyId)
        : base(requestId.IsNone
            ? $"The reply's id {replyId} matches none of the requests sent."
            : $"The reply's id {replyId} does not match the request's id {requestId}.")
    {
        RequestId = requestId;
        ReplyId = replyId;
    }

    /// <summary>The id of the request that was sent; <see cref="RpcId.None"/> for a batch.</summary>
    public RpcId RequestId { get; }

    /// <summary>The id the reply carried.</summary>
    public RpcId ReplyId { get; }
}
