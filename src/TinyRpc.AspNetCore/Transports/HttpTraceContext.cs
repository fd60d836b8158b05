using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using TinyRpc.Dispatch;

namespace TinyRpc.Transports;

/// <summary>The W3C trace context an HTTP request (or a WebSocket's upgrade request) came with.</summary>
internal sealed class HttpTraceContext : IRpcTraceContextCarrier
{
    private HttpTraceContext(string? traceParent, string? traceState, bool isConnectionContext)
    {
        TraceParent = traceParent;
        TraceState = traceState;
        IsConnectionContext = isConnectionContext;
    }

    public string? TraceParent { get; }

    public string? TraceState { get; }

    public bool IsConnectionContext { get; }

    /// <summary>
    /// Whether a request may carry a trace context: it has one in its headers, or ASP.NET Core made an activity for it.
    /// Cheap, so that requests of untraced clients take nothing more.
    /// </summary>
    public static bool MayCarry(HttpContext context)
        => Activity.Current is not null || context.Request.Headers.ContainsKey("traceparent");

    /// <summary>
    /// Reads the context of the request running now: ASP.NET Core's activity for it when someone records that activity
    /// (it is the incoming context's child, so the call's span nests under the HTTP span), else the incoming headers,
    /// through the process's propagator. An activity nobody records (one ASP.NET Core makes for its logs) is passed
    /// over: a span parented on it would point at a span no exporter ever sees.
    /// </summary>
    public static HttpTraceContext Read(HttpContext context, bool isConnectionContext)
    {
        if (Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity && activity.Source.HasListeners())
        {
            return new HttpTraceContext(activity.Id, activity.TraceStateString, isConnectionContext);
        }

        DistributedContextPropagator.Current.ExtractTraceIdAndState(context.Request.Headers, static (carrier, name, out value, out values) =>
        {
            values = null;
            value = carrier is IHeaderDictionary headers && headers.TryGetValue(name, out var found) ? found.ToString() : null;
        }, out string? traceParent, out string? traceState);
        return new HttpTraceContext(traceParent, traceState, isConnectionContext);
    }
}
