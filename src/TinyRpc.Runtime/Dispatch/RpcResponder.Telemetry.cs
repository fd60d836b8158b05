using TinyRpc.Protocols;

namespace TinyRpc.Dispatch;

public sealed partial class RpcResponder
{
    // The dispatcher's meter (from its IMeterFactory) when it has one, else TinyRpc's own.
    private RpcInstruments Instruments => (Dispatcher as RpcDispatcher)?.Instruments ?? RpcInstruments.Shared;

    private bool IsObserved => RpcCallTelemetry.ServerEnabled(Instruments);

    /// <summary>
    /// Dispatches the requests of one message, each inside its server span and duration measurement. Made per message,
    /// and only while someone listens, so that the plain path allocates nothing for telemetry.
    /// </summary>
    private sealed class ObservedDispatcher(RpcResponder responder, object? context, InboundCalls? inbound) : IRpcDispatcher
    {
        public async ValueTask<RpcResponse?> DispatchAsync(RpcRequest request, CancellationToken cancellationToken = default)
        {
            // A connection's $/cancelRequest, and the messages of its streams and progress reports, are the
            // connection's own business, not calls.
            if (inbound is not null
                && ((request.OneWay && RpcProtocol.TryReadCancelledId(request, out _)) || ConnectionStreams.IsStreamMethod(request, out _)))
            {
                return await responder.DispatchCancellableAsync(request, inbound, cancellationToken).ConfigureAwait(false);
            }

            RpcCallTelemetry call = RpcCallTelemetry.StartServer(responder.Instruments, responder.Protocol, responder.Dispatcher, request, context);
            RpcResponse? response;
            try
            {
                response = inbound is null
                    ? await responder.Dispatcher.DispatchAsync(request, cancellationToken).ConfigureAwait(false)
                    : await responder.DispatchCancellableAsync(request, inbound, cancellationToken).ConfigureAwait(false);
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
}
