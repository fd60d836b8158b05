namespace TinyRpc.Client;

/// <summary>Settings of an <see cref="RpcConnection"/>.</summary>
public sealed class RpcConnectionOptions
{
    /// <summary>The most incoming requests handled at once; the connection reads no further while that many run. 64 by default.</summary>
    public int MaxConcurrency { get; set; } = 64;
}
