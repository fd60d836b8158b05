using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using TinyRpc.Dispatch;

namespace TinyRpc.Transports;

/// <summary>
/// The W3C trace context an HTTP request (or a WebSocket's upgrade request) came with, read when a span asks for it:
/// while nobody listens for TinyRpc's spans, the headers are never parsed.
/// </summary>
internal sealed class HttpTraceContext(HttpContext context, Activity? requestActivity, bool isConnectionContext) : IRpcTraceContextCarrier
{
    private string? _traceParent;
    private string? _traceState;
    private volatile bool _read;

    public string? TraceParent
    {
        get
        {
            EnsureRead();
            return _traceParent;
        }
    }

    public string? TraceState
    {
        get
        {
            EnsureRead();
            return _traceState;
        }
    }

    public bool IsConnectionContext => isConnectionContext;

    /// <summary>
    /// Whether a request may carry a trace context: it has one in its headers, or ASP.NET Core made an activity for it.
    /// Cheap, so that requests of untraced clients take nothing more.
    /// </summary>
    public static bool MayCarry(HttpContext context)
        => Activity.Current is not null || context.Request.Headers.ContainsKey("traceparent");

    /// <summary>The context of the request running now (its activity is current); null when it can carry none.</summary>
    public static HttpTraceContext? Of(HttpContext context, bool isConnectionContext)
        => MayCarry(context) ? new HttpTraceContext(context, Activity.Current, isConnectionContext) : null;

    // Two readers at once read the same values; either may store them.
    private void EnsureRead()
    {
        if (_read)
        {
            return;
        }

        Read(context, requestActivity, out _traceParent, out _traceState);
        _read = true;
    }

    /// <summary>
    /// ASP.NET Core's activity for the request when someone records that activity (it is the incoming context's child,
    /// so the call's span nests under the HTTP span), else the incoming headers, through the process's propagator. An
    /// activity nobody records (one ASP.NET Core makes for its logs) is passed over: a span parented on it would point
    /// at a span no exporter ever sees.
    /// </summary>
    private static void Read(HttpContext context, Activity? requestActivity, out string? traceParent, out string? traceState)
    {
        if (requestActivity is { IdFormat: ActivityIdFormat.W3C } activity && activity.Source.HasListeners())
        {
            traceParent = activity.Id;
            traceState = activity.TraceStateString;
            return;
        }

        DistributedContextPropagator.Current.ExtractTraceIdAndState(context.Request.Headers, static (carrier, name, out value, out values) =>
        {
            values = null;
            value = carrier is IHeaderDictionary headers && headers.TryGetValue(name, out var found) ? found.ToString() : null;
        }, out traceParent, out traceState);
    }
}
