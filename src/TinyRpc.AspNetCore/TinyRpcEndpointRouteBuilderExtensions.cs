using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace TinyRpc.AspNetCore;

/// <summary>Maps TinyRpc endpoints in an ASP.NET Core application. Every handler is a plain <see cref="RequestDelegate"/>: no reflection-based binding.</summary>
public static class TinyRpcEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Serves <paramref name="dispatcher"/> over HTTP POST at <paramref name="pattern"/>: each request is parsed,
    /// dispatched and answered within its own HTTP exchange, with the rules of <see cref="RpcHttpOptions"/>.
    /// </summary>
    public static IEndpointConventionBuilder MapTinyRpc(this IEndpointRouteBuilder endpoints, string pattern,
        RpcDispatcher dispatcher, RpcProtocol protocol, RpcHttpOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(dispatcher);
        ArgumentNullException.ThrowIfNull(protocol);
        var server = new RpcServer(NoTransport.Instance, protocol, dispatcher);
        var handler = new RpcHttpHandler(protocol.ContentType, options);
        RequestDelegate serve = context => handler.HandleAsync(context, (http, body) => server.HandleMessageAsync(body, http.RequestAborted));
        IEndpointConventionBuilder rpc = endpoints.Map(pattern, serve);
        return options is { ServeOpenRpcDocument: true }
            ? new CompositeEndpointConventionBuilder([rpc, endpoints.MapOpenRpcDocument(OpenRpcDocumentEndpoint.PatternFor(pattern), dispatcher, options)])
            : rpc;
    }

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
        RpcDispatcher dispatcher, RpcProtocol protocol, WebSocketServerOptions? options = null, RpcServerOptions? serverOptions = null)
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

    /// <summary>The transport of a server that is only asked to turn messages into replies.</summary>
    private sealed class NoTransport : IServerTransport
    {
        public static readonly NoTransport Instance = new();

        public ValueTask<RpcInboundMessage?> ReceiveMessageAsync(CancellationToken cancellationToken = default) => new(default(RpcInboundMessage?));

        public ValueTask SendReplyAsync(object? context, ReadOnlyMemory<byte> reply, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    }
}
