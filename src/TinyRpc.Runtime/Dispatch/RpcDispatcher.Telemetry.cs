using System.Diagnostics.Metrics;

namespace TinyRpc.Dispatch;

public partial class RpcDispatcher
{
    private RpcInstruments? _instruments;
    private IMeterFactory? _meterFactory;

    /// <summary>
    /// Where the <c>rpc.server.call.duration</c> histogram's meter (<see cref="RpcTelemetry.MeterName"/>) of the calls
    /// this dispatcher serves comes from: the container's factory under dependency injection (TinyRpc.Hosting sets
    /// it), so that the host's metrics pipeline sees it. Null, the default: a meter of TinyRpc's own.
    /// docs/observability.md lists what is recorded.
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

    internal RpcInstruments? Instruments => _instruments;
}
