using System.Diagnostics;
using System.Diagnostics.Metrics;
using TinyRpc.Dispatch;
using TinyRpc.Protocols;
using TinyRpc.Transports;

namespace TinyRpc.Client;

public partial class RpcClient
{
    private RpcInstruments? _instruments;
    private IMeterFactory? _meterFactory;

    /// <summary>
    /// Where the <c>rpc.client.call.duration</c> histogram's meter (<see cref="RpcTelemetry.MeterName"/>) comes from:
    /// the container's factory under dependency injection (TinyRpc.Hosting sets it), so that the host's metrics
    /// pipeline sees it. Null, the default: a meter of TinyRpc's own. docs/observability.md lists what is recorded.
    /// </summary>
    public IMeterFactory? MeterFactory
    {
        get => _meterFactory;
        set
        {
            _instruments = value is null ? null : RpcInstruments.From(value);
            _meterFactory = value;
        }
    }

    private RpcInstruments Instruments => _instruments ?? RpcInstruments.Shared;

    // Someone listens for spans or for the duration histogram, or the protocol sends the caller's trace context in
    // each request: only then does a call take the longer way.
    private bool IsObserved => RpcCallTelemetry.ClientEnabled(Instruments) || (Protocol.WritesTraceContext && Activity.Current is not null);

    // Set while a call is observed: a client inside another client's transport (a reconnecting transport's own
    // client, say) is carrying the same call, which has its span and its measurement already.
    private static readonly AsyncLocal<bool> s_inCall = new();

    private async ValueTask<RpcResponse?> SendObservedAsync(RpcRequest request, CancellationToken cancellationToken)
    {
        if (s_inCall.Value)
        {
            return await SendUnobservedAsync(request, cancellationToken).ConfigureAwait(false);
        }

        s_inCall.Value = true;
        var endpoint = ((object?)_channel ?? (object?)(Transport as ChannelClientTransport)?.Channel ?? Transport) as IServerEndpoint;
        string? address = endpoint?.ServerAddress;
        RpcCallTelemetry call = RpcCallTelemetry.StartClient(Instruments, Protocol, request, address, address is null ? 0 : endpoint!.ServerPort);
        RpcResponse? response;
        try
        {
            // Inside the try: the span ends whatever happens from its start on.
            if (Protocol.WritesTraceContext && Activity.Current is { IdFormat: ActivityIdFormat.W3C } current)
            {
                request = Protocol.WithTraceContext(request, current.Id!, current.TraceStateString);
            }

            response = await SendUnobservedAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            call.Complete(null, e);
            throw;
        }

        call.Complete(response, null);
        return response;
    }
}
