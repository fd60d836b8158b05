namespace TinyRpc.Exceptions;

/// <summary>
/// The error codes that JSON-RPC 2.0 reserves, shared by every TinyRpc protocol
/// (MSGPACK-RPC uses the same numbers, as tinyrpc does).
/// </summary>
public static class RpcErrorCodes
{
    /// <summary>Invalid JSON (or msgpack) was received by the server.</summary>
    public const int ParseError = -32700;

    /// <summary>The message is not a valid request object.</summary>
    public const int InvalidRequest = -32600;

    /// <summary>The method does not exist or is not public.</summary>
    public const int MethodNotFound = -32601;

    /// <summary>Invalid method parameters.</summary>
    public const int InvalidParams = -32602;

    /// <summary>Internal error of the RPC machinery, not of the called method.</summary>
    public const int InternalError = -32603;

    /// <summary>The generic server error: an error raised by the called method.</summary>
    public const int ServerError = -32000;

    /// <summary>
    /// The request was cancelled before it completed: its caller asked (<c>$/cancelRequest</c>), or the connection it
    /// came over ended. The code StreamJsonRpc and the Language Server Protocol use.
    /// </summary>
    public const int RequestCancelled = -32800;

    /// <summary>
    /// A stream token names no stream this side produces (it has ended, was stopped, or never existed): the answer to
    /// <c>$/enumerator/next</c> and <c>$/enumerator/abort</c>, with StreamJsonRpc's code and message ("This remote
    /// object no longer exists."). See docs/streaming.md.
    /// </summary>
    public const int RemoteObjectNotFound = -32001;

    /// <summary>The lowest code of the range JSON-RPC reserves for implementation-defined server errors.</summary>
    public const int ServerErrorRangeStart = -32099;

    /// <summary>The highest code of the range JSON-RPC reserves for implementation-defined server errors.</summary>
    public const int ServerErrorRangeEnd = -32000;

    /// <summary>The lowest code reserved for pre-defined errors; -32768 to -32000 belong to the specification.</summary>
    public const int ReservedRangeStart = -32768;

    /// <summary>The highest code reserved for pre-defined errors.</summary>
    public const int ReservedRangeEnd = -32000;

    /// <summary>
    /// The code of an <see cref="Exceptions.RpcTransportException"/>: the message could not be delivered or the reply not
    /// received (the connection failed or closed, the peer was unreachable, an HTTP status outside 2xx). Set on this
    /// side, never read from a reply; outside the range JSON-RPC reserves, so it is never one of the specification's codes.
    /// </summary>
    public const int TransportError = -31000;

    /// <summary>
    /// The code of a <see cref="BadReplyException"/> (and <see cref="InvalidReplyException"/>,
    /// <see cref="UnexpectedIdException"/>): a reply arrived but could not be read, or matches no call. Set on this
    /// side, never read from a reply; outside the range JSON-RPC reserves.
    /// </summary>
    public const int BadReply = -31001;

    /// <summary>True when <paramref name="code"/> lies in the range -32768 to -32000 that the specification reserves.</summary>
    public static bool IsReserved(int code) => code is >= ReservedRangeStart and <= ReservedRangeEnd;

    /// <summary>True when <paramref name="code"/> lies in the implementation-defined server error range -32099 to -32000.</summary>
    public static bool IsServerErrorRange(int code) => code is >= ServerErrorRangeStart and <= ServerErrorRangeEnd;
}
