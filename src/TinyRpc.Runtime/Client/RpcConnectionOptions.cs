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
}
