namespace TinyRpc;

/// <summary>
/// The names under which TinyRpc reports traces and metrics (docs/observability.md): give
/// <see cref="ActivitySourceName"/> to a tracer provider and <see cref="MeterName"/> to a meter provider.
/// </summary>
/// <remarks>
/// Nothing is recorded, and no call does any extra work, until a listener subscribes to the source or the meter.
/// </remarks>
public static class RpcTelemetry
{
    /// <summary>The name of the <see cref="System.Diagnostics.ActivitySource"/> of client and server call spans.</summary>
    public const string ActivitySourceName = "TinyRpc";

    /// <summary>
    /// The name of the <see cref="System.Diagnostics.Metrics.Meter"/> of the <c>rpc.client.call.duration</c> and
    /// <c>rpc.server.call.duration</c> histograms.
    /// </summary>
    public const string MeterName = "TinyRpc";

    /// <summary>The <c>rpc.system.name</c> of JSON-RPC calls, as the OpenTelemetry conventions name it.</summary>
    public const string JsonRpcSystemName = "jsonrpc";

    /// <summary>
    /// The <c>rpc.system.name</c> of MSGPACK-RPC calls. The OpenTelemetry conventions define no value for this protocol;
    /// this one is TinyRpc's own.
    /// </summary>
    public const string MsgPackRpcSystemName = "msgpackrpc";
}
