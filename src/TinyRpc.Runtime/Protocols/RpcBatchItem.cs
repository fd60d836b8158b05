using TinyRpc.Exceptions;

namespace TinyRpc.Protocols;

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
