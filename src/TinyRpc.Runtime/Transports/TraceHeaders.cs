using System.Diagnostics;
using System.Net.Http.Headers;

namespace TinyRpc.Transports;

/// <summary>Writes an activity's W3C trace context into transport headers, through the process's propagator.</summary>
internal static class TraceHeaders
{
    public static void Inject(Activity activity, HttpRequestHeaders headers)
        => Inject(activity, headers, static (carrier, name, value) => carrier.TryAddWithoutValidation(name, value));

    public static void Inject<TCarrier>(Activity activity, TCarrier carrier, Action<TCarrier, string, string> set)
    {
        DistributedContextPropagator.Current.Inject(activity, (carrier, set), static (state, name, value) =>
        {
            if (value is not null && state is ValueTuple<TCarrier, Action<TCarrier, string, string>> (var target, var setter))
            {
                setter(target, name, value);
            }
        });
    }
}
