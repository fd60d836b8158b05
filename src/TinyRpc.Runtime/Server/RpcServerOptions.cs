namespace TinyRpc.Server;

/// <summary>Settings of an <see cref="RpcServer"/>.</summary>
public sealed class RpcServerOptions
{
    /// <summary>
    /// The most requests handled at once (tinyrpc's <c>RPCServerGreenlets</c>). 1 handles messages one after
    /// another, as tinyrpc's <c>RPCServer</c> does. The default is 64.
    /// </summary>
    public int MaxConcurrency { get; set; } = 64;

    /// <summary>How long <see cref="RpcServer.ServeForeverAsync"/> waits for requests in flight after it is stopped, before cancelling them.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Whether the methods still running for a client that keeps its connection (<see cref="Transports.IDuplexServerTransport"/>)
    /// are cancelled (their token fires) when that client goes away. True by default.
    /// </summary>
    public bool CancelCallsWhenClientLeaves { get; set; } = true;
}
