using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TinyRpc.Dispatch;
using TinyRpc.Protocols;
using TinyRpc.Server;
using TinyRpc.Transports;

namespace TinyRpc.AspNetCore;

/// <summary>Maps TinyRpc endpoints in an ASP.NET Core application. Every handler is a plain <see cref="RequestDelegate"/>: no reflection-based binding.</summary>
public static class TinyRpcEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Serves <paramref name="dispatcher"/> over HTTP POST at <paramref name="pattern"/>: each request is parsed,
    /// dispatched and answered within its own HTTP exchange, with the rules of <see cref="RpcHttpOptions"/>.
    /// </summary>
    public static IEndpointConventionBuilder MapTinyRpc(this IEndpointRouteBuilder endpoints, string pattern,
        IRpcDispatcher dispatcher, RpcProtocol protocol, RpcHttpOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dispatcher);
        ArgumentNullException.ThrowIfNull(protocol);
        return endpoints.MapTinyRpc(pattern, new RpcResponder(protocol, dispatcher), options);
    }

    /// <summary>
    /// Serves <paramref name="responder"/> over HTTP POST at <paramref name="pattern"/>: each request body is answered
    /// by the responder within its own HTTP exchange, with the rules of <see cref="RpcHttpOptions"/>.
    /// </summary>
    public static IEndpointConventionBuilder MapTinyRpc(this IEndpointRouteBuilder endpoints, string pattern,
        RpcResponder responder, RpcHttpOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(responder);
        var handler = new RpcHttpHandler(responder.Protocol.ContentType, options);
        RequestDelegate serve = context => handler.HandleAsync(context, (http, body) => RespondAsync(responder, http, body));
        IEndpointConventionBuilder rpc = endpoints.Map(pattern, serve);
        if (options is not { ServeOpenRpcDocument: true })
        {
            return rpc;
        }

        // The document describes what an RpcDispatcher has registered; another dispatcher has nothing to describe it by.
        RpcDispatcher described = responder.Dispatcher as RpcDispatcher
            ?? throw new ArgumentException($"{nameof(RpcHttpOptions.ServeOpenRpcDocument)} needs an {nameof(RpcDispatcher)}, which can describe its methods.", nameof(options));
        return new CompositeEndpointConventionBuilder([rpc, endpoints.MapOpenRpcDocument(OpenRpcDocumentEndpoint.PatternFor(pattern), described, options)]);
    }

    // The method runs with the request's RequestAborted, so that a client that goes away cancels it; the context
    // (what a trace, a span and RpcCallContext see) is made for each request, its text only when asked for.
    private static ValueTask<ReadOnlyMemory<byte>> RespondAsync(RpcResponder responder, HttpContext http, ReadOnlyMemory<byte> body)
    {
        ValueTask<RpcReply> pending = responder.RespondAsync(body, new RpcHttpRequestContext(http, describeWhenAsked: true), int.MaxValue, http.RequestAborted);
        return pending.IsCompletedSuccessfully ? new(pending.Result.Message) : MessageOfAsync(pending);
    }

    private static async ValueTask<ReadOnlyMemory<byte>> MessageOfAsync(ValueTask<RpcReply> pending)
        => (await pending.ConfigureAwait(false)).Message;

    /// <summary>
    /// Answers <c>GET</c> (and <c>HEAD</c>) at <paramref name="pattern"/> with <paramref name="dispatcher"/>'s OpenRPC
    /// document (<see cref="RpcDispatcher.GetOpenRpcDocument"/>) as <c>application/json</c>, with the CORS rules of
    /// <paramref name="options"/>' <see cref="RpcHttpOptions.AllowedOrigin"/>. For servers mapped another way (WebSocket,
    /// <see cref="HttpServerTransport"/>); <see cref="RpcHttpOptions.ServeOpenRpcDocument"/> maps it beside a dispatcher endpoint.
    /// </summary>
    public static IEndpointConventionBuilder MapOpenRpcDocument(this IEndpointRouteBuilder endpoints, string pattern, RpcDispatcher dispatcher,
        RpcHttpOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(dispatcher);
        var endpoint = new OpenRpcDocumentEndpoint(dispatcher, options);
        return endpoints.Map(pattern, endpoint.HandleAsync);
    }

    /// <summary>Feeds the HTTP POST requests to <paramref name="pattern"/> into <paramref name="transport"/>, for an <see cref="RpcServer"/> to serve.</summary>
    public static IEndpointConventionBuilder MapTinyRpc(this IEndpointRouteBuilder endpoints, string pattern, HttpServerTransport transport)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(transport);
        return endpoints.Map(pattern, transport.HandleAsync);
    }

    /// <summary>
    /// Accepts WebSocket connections at <paramref name="pattern"/> for <paramref name="transport"/> (tinyrpc's
    /// <c>WSServerTransport</c>, whose socket lives at <c>/ws</c>). With <paramref name="answerRoot"/>, <c>GET /</c> gets a
    /// plain-text answer naming the socket's path, as tinyrpc's transport gives. Needs <c>app.UseWebSockets()</c>.
    /// </summary>
    public static IEndpointConventionBuilder MapTinyRpcWebSocket(this IEndpointRouteBuilder endpoints, WebSocketServerTransport transport,
        string pattern = "/ws", bool answerRoot = true)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(pattern);
        if (answerRoot && pattern != "/")
        {
            string text = $"Ready for WebSocket connection in {pattern}";
            RequestDelegate root = context => RpcHttpHandler.RefuseAsync(context, StatusCodes.Status200OK, text);
            endpoints.MapGet("/", root);
        }

        return endpoints.Map(pattern, transport.HandleAsync);
    }

    /// <summary>
    /// Serves <paramref name="dispatcher"/> over WebSockets at <paramref name="pattern"/>: a <see cref="WebSocketServerTransport"/>
    /// and an <see cref="RpcServer"/> that starts with the application and drains when it stops.
    /// </summary>
    public static IEndpointConventionBuilder MapTinyRpcWebSocket(this IEndpointRouteBuilder endpoints, string pattern,
        IRpcDispatcher dispatcher, RpcProtocol protocol, WebSocketServerOptions? options = null, RpcServerOptions? serverOptions = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(dispatcher);
        ArgumentNullException.ThrowIfNull(protocol);
        var transport = new WebSocketServerTransport(options);
        var server = new RpcServer(transport, protocol, dispatcher, serverOptions);
        IHostApplicationLifetime lifetime = endpoints.ServiceProvider.GetRequiredService<IHostApplicationLifetime>();
        lifetime.ApplicationStarted.Register(() => _ = server.ServeForeverAsync(lifetime.ApplicationStopping));
        return endpoints.MapTinyRpcWebSocket(transport, pattern, answerRoot: false);
    }

    /// <summary>
    /// Maps the RPC explorer at <paramref name="pattern"/>: a development page that reads the OpenRPC 1.x document at
    /// <paramref name="documentUrl"/>, lists its methods with their parameters, results, errors and descriptions, and
    /// lets a person call them from the browser as JSON-RPC 2.0 requests POSTed (<c>application/json</c>) to
    /// <paramref name="rpcUrl"/>, showing each request and its reply. Nothing is mapped unless this is called; the page
    /// lets anyone who reaches it call every method the document lists, so map it in development only, or behind
    /// the authorization the RPC endpoint itself needs (the returned builder takes <c>RequireAuthorization</c>).
    /// </summary>
    /// <param name="endpoints">The application's endpoints.</param>
    /// <param name="pattern">A literal path (no route parameters) for the page; its script and style sheet are served
    /// below it, at <c>{pattern}/explorer.js</c> and <c>{pattern}/explorer.css</c>. GET only.</param>
    /// <param name="rpcUrl">Where the calls go: a path starting with <c>/</c> (taken inside the application's path base,
    /// like the patterns of <c>MapTinyRpc</c>, but not inside a route group's prefix: it is a URL, not a pattern) or an
    /// absolute http(s) URL, which must then allow the page's origin (CORS).</param>
    /// <param name="documentUrl">Where the OpenRPC document is read from with GET, in the same forms as
    /// <paramref name="rpcUrl"/>; by default <paramref name="rpcUrl"/> followed by <c>/openrpc.json</c>.</param>
    /// <returns>A builder for the page's three endpoints, to add conventions (authorization, host filters) to all of them.</returns>
    /// <exception cref="ArgumentException"><paramref name="pattern"/> has route parameters, or a URL is neither a path
    /// starting with <c>/</c> nor an absolute http(s) URL.</exception>
    /// <remarks>The page's answer carries a Content-Security-Policy that allows only its own script and style sheet, and
    /// network requests only to its own origin and the origins of the two URLs; the script puts every text of the
    /// document into the page as text, never as markup.</remarks>
    public static IEndpointConventionBuilder MapTinyRpcExplorer(this IEndpointRouteBuilder endpoints, string pattern, string rpcUrl,
        string? documentUrl = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return Explorer.RpcExplorerEndpoints.Map(endpoints, pattern, rpcUrl, documentUrl);
    }
}
