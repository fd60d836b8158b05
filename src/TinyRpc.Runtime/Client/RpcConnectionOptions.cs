using Microsoft.Extensions.Logging;

namespace TinyRpc.Client;

/// <summary>Settings of an <see cref="RpcConnection"/>.</summary>
public sealed class RpcConnectionOptions
{
    /// <summary>The most incoming requests handled at once; the connection reads no further while that many run. 64 by default.</summary>
    public int MaxConcurrency { get; set; } = 64;

    /// <summary>
    /// Whether the methods still running for the other side are cancelled (their token fires) when the connection
    /// ends, closed by either side. True by default.
    /// </summary>
    public bool CancelCallsWhenClosed { get; set; } = true;

    /// <summary>
    /// Where the connection logs its opening and closing (debug), a failure of the connection (warning), and the
    /// messages it rejects; it becomes the connection's <see cref="RpcClient.Logger"/>. Failures of the methods it
    /// serves are logged by the dispatcher's own <see cref="Dispatch.RpcDispatcher.Logger"/>. None by default.
    /// </summary>
    public ILogger? Logger { get; set; }
}
