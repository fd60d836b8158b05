using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Http;
using TinyRpc.Dispatch;

namespace TinyRpc.Transports;

/// <summary>
/// The context of a message received over HTTP or a WebSocket: the <see cref="RpcInboundMessage.Context"/> of the
/// ASP.NET Core transports and of the dispatcher endpoint, what a <see cref="RpcTrace"/> sees, and what
/// <c>RpcCallContext.GetHttpContext()</c> reads. Its text names the peer and the request.
/// </summary>
public class RpcHttpRequestContext : IRpcInboundContext, IRpcTraceContextCarrier
{
    private readonly HttpTraceContext? _trace;
    private string? _description;

    // The text is written at once, while the request is alive, for contexts that a server transport may still log once
    // the request has ended; the dispatcher endpoint, whose contexts end with their requests, writes it when asked.
    internal RpcHttpRequestContext(HttpContext httpContext, bool isConnection = false, bool describeWhenAsked = false)
    {
        HttpContext = httpContext;

        // Made here, inside the request, where its activity is current: the server answers it elsewhere.
        _trace = HttpTraceContext.Of(httpContext, isConnection);
        if (!describeWhenAsked)
        {
            _description = Describe(httpContext);
        }
    }

    /// <summary>The ASP.NET Core request (user, headers, connection). Do not use it after the reply has been sent.</summary>
    public HttpContext HttpContext { get; }

    /// <summary>The peer's IP address and port, as the server sees them; null when it has none (a test server).</summary>
    public EndPoint? RemoteEndPoint
        => HttpContext.Connection.RemoteIpAddress is { } address ? new IPEndPoint(address, HttpContext.Connection.RemotePort) : null;

    /// <summary>The request's <see cref="HttpContext.RequestAborted"/>: cancelled when the client goes away.</summary>
    public CancellationToken RequesterGone => HttpContext.RequestAborted;

    string? IRpcTraceContextCarrier.TraceParent => _trace?.TraceParent;

    string? IRpcTraceContextCarrier.TraceState => _trace?.TraceState;

    bool IRpcTraceContextCarrier.IsConnectionContext => _trace?.IsConnectionContext ?? false;

    /// <summary>The peer's address and port, the method and the path.</summary>
    public override string ToString() => _description ??= Describe(HttpContext);

    private static string Describe(HttpContext httpContext)
    {
        ConnectionInfo connection = httpContext.Connection;
        return string.Create(CultureInfo.InvariantCulture,
            $"{connection.RemoteIpAddress}:{connection.RemotePort} {httpContext.Request.Method} {httpContext.Request.Path}");
    }
}
