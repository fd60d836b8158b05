using Microsoft.AspNetCore.Http;
using TinyRpc.Transports;

namespace TinyRpc.Server;

/// <summary>What an <see cref="RpcCallContext"/> knows of a call that came over ASP.NET Core.</summary>
public static class HttpCallContextExtensions
{
    /// <summary>
    /// The ASP.NET Core request the call came with: the HTTP POST for <c>MapTinyRpc</c> and <see cref="HttpServerTransport"/>,
    /// the request that opened the socket for <see cref="WebSocketServerTransport"/> (its user, headers and connection).
    /// Null for a call that came another way. Valid while the method runs.
    /// </summary>
    public static HttpContext? GetHttpContext(this RpcCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return (context.TransportContext as RpcHttpRequestContext)?.HttpContext;
    }
}
