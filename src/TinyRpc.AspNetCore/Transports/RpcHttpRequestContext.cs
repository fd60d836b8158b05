using System.Globalization;
using Microsoft.AspNetCore.Http;
using TinyRpc.Dispatch;

namespace TinyRpc.Transports;

/// <summary>
/// The context of a message received over HTTP or a WebSocket: the <see cref="RpcInboundMessage.Context"/> of the
/// ASP.NET Core transports and what a <see cref="RpcTrace"/> sees. Its text names the peer and the request.
/// </summary>
public class RpcHttpRequestContext : IRpcTraceContextCarrier
{
    private readonly string _description;
    private readonly HttpTraceContext? _trace;

    internal RpcHttpRequestContext(HttpContext httpContext, bool isConnection = false)
    {
        HttpContext = httpContext;

        // Made here, inside the request, where its activity is current: the server answers it elsewhere.
        _trace = HttpTraceContext.Of(httpContext, isConnection);
        ConnectionInfo connection = httpContext.Connection;
        _description = string.Create(CultureInfo.InvariantCulture,
            $"{connection.RemoteIpAddress}:{connection.RemotePort} {httpContext.Request.Method} {httpContext.Request.Path}");
    }

    /// <summary>The ASP.NET Core request (user, headers, connection). Do not use it after the reply has been sent.</summary>
    public HttpContext HttpContext { get; }

    string? IRpcTraceContextCarrier.TraceParent => _trace?.TraceParent;

    string? IRpcTraceContextCarrier.TraceState => _trace?.TraceState;

    bool IRpcTraceContextCarrier.IsConnectionContext => _trace?.IsConnectionContext ?? false;

    /// <summary>The peer's address and port, the method and the path.</summary>
    public override string ToString() => _description;
}
