using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Server;

namespace TinyRpc.AspNetCore.Tests;

/// <summary>What a method sees through <see cref="RpcCallContext"/> over ASP.NET Core: HTTP (the dispatcher endpoint and
/// <see cref="HttpServerTransport"/>) and WebSocket on Kestrel, with the request's headers, user and peer.</summary>
public sealed partial class CallContextTests
{
    /// <summary>What one call's context held, read while the method ran.</summary>
    public sealed record Seen(RpcId Id, string Method, RpcProtocol? Protocol, RpcConnection? Connection, EndPoint? RemoteEndPoint,
        bool SameToken, string? Header, string? User, string? Path);

    [RpcService]
    public sealed partial class ContextService
    {
        public ConcurrentQueue<Seen> Calls { get; } = new();

        [Public("who")]
        public string Who(int n, RpcCallContext context, CancellationToken cancellationToken)
        {
            HttpContext? http = context.GetHttpContext();
            Calls.Enqueue(new Seen(context.Id, context.Method, context.Protocol, context.Connection, context.RemoteEndPoint,
                context.CancellationToken == cancellationToken, http?.Request.Headers["X-Caller"].ToString(), http?.User.Identity?.Name,
                http?.Request.Path.Value));
            return "n=" + n;
        }

        public RpcDispatcher Dispatcher()
        {
            var dispatcher = new RpcDispatcher();
            dispatcher.RegisterInstance(this);
            return dispatcher;
        }
    }

    // A real ASP.NET Core pipeline step: the caller named in X-User becomes the request's user.
    private static void UseHeaderUser(WebApplication app)
        => app.Use((RequestDelegate next) => context =>
        {
            if (context.Request.Headers["X-User"].ToString() is { Length: > 0 } name)
            {
                context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, name)], "header"));
            }

            return next(context);
        });

    private static async Task<string> CallAsync(Uri uri, RpcRequest request)
    {
        using HttpClient http = TestHttp.NewClient();
        using var transport = new HttpPostClientTransport(http, uri, "application/json");
        transport.DefaultHeaders!.Add("X-Caller", "http-caller");
        transport.DefaultHeaders.Add("X-User", "alice");
        await using var client = new RpcClient(new JsonRpcProtocol(), transport);
        return await client.SendAsync<string>(request).WaitAsync(KestrelHost.Limit);
    }

    private static void AssertHttp(Seen seen, RpcRequest request, string path)
    {
        Assert.Equal(request.Id, seen.Id);
        Assert.Equal("who", seen.Method);
        Assert.IsType<JsonRpcProtocol>(seen.Protocol);
        Assert.Null(seen.Connection);
        IPEndPoint remote = Assert.IsType<IPEndPoint>(seen.RemoteEndPoint);
        Assert.True(IPAddress.IsLoopback(remote.Address), remote.ToString());
        Assert.NotEqual(0, remote.Port);
        Assert.True(seen.SameToken);
        Assert.Equal("http-caller", seen.Header);
        Assert.Equal("alice", seen.User);
        Assert.Equal(path, seen.Path);
    }

    [Fact]
    public async Task Dispatcher_endpoint_gives_the_http_request()
    {
        var service = new ContextService();
        await using KestrelHost host = await KestrelHost.StartAsync(app =>
        {
            UseHeaderUser(app);
            app.MapTinyRpc("/rpc", service.Dispatcher(), new JsonRpcProtocol());
        });
        RpcRequest request = new JsonRpcProtocol().CreateRequest("who", [7]);

        Assert.Equal("n=7", await CallAsync(host.Http("/rpc"), request));

        AssertHttp(Assert.Single(service.Calls), request, "/rpc");
    }

    [Fact]
    public async Task Http_server_transport_gives_the_http_request()
    {
        var service = new ContextService();
        var transport = new HttpServerTransport();
        await using KestrelHost host = await KestrelHost.StartAsync(app =>
        {
            UseHeaderUser(app);
            app.MapTinyRpc("/served", transport);
        });
        var server = new RpcServer(transport, new JsonRpcProtocol(), service.Dispatcher());
        using var stop = new CancellationTokenSource(KestrelHost.Limit * 2);
        Task serving = server.ServeForeverAsync(stop.Token);
        RpcRequest request = new JsonRpcProtocol().CreateRequest("who", [8]);
        try
        {
            Assert.Equal("n=8", await CallAsync(host.Http("/served"), request));
        }
        finally
        {
            await stop.CancelAsync();
            await serving.WaitAsync(KestrelHost.Limit);
        }

        AssertHttp(Assert.Single(service.Calls), request, "/served");
    }

    [Fact]
    public async Task WebSocket_gives_the_request_that_opened_the_socket_and_the_connection()
    {
        var service = new ContextService();
        var transport = new WebSocketServerTransport();
        await using KestrelHost host = await KestrelHost.StartAsync(app =>
        {
            app.UseWebSockets();
            UseHeaderUser(app);
            app.MapTinyRpcWebSocket(transport);
        });
        var server = new RpcServer(transport, new JsonRpcProtocol(), service.Dispatcher());
        using var stop = new CancellationTokenSource(KestrelHost.Limit * 2);
        Task serving = server.ServeForeverAsync(stop.Token);
        RpcRequest request = new JsonRpcProtocol().CreateRequest("who", [9]);
        try
        {
            var socket = new ClientWebSocket();
            socket.Options.SetRequestHeader("X-Caller", "socket-caller");
            socket.Options.SetRequestHeader("X-User", "bob");
            using var connecting = new CancellationTokenSource(KestrelHost.Limit);
            await socket.ConnectAsync(host.Ws("/ws"), connecting.Token);
            await using var client = new RpcConnection(new JsonRpcProtocol(), new WebSocketClientTransport(socket));
            Assert.Equal("n=9", await client.SendAsync<string>(request).WaitAsync(KestrelHost.Limit));
        }
        finally
        {
            await stop.CancelAsync();
            await serving.WaitAsync(KestrelHost.Limit);
        }

        Seen seen = Assert.Single(service.Calls);
        Assert.Equal(request.Id, seen.Id);
        Assert.Equal("who", seen.Method);
        Assert.IsType<JsonRpcProtocol>(seen.Protocol);
        Assert.NotNull(seen.Connection);
        IPEndPoint remote = Assert.IsType<IPEndPoint>(seen.RemoteEndPoint);
        Assert.True(IPAddress.IsLoopback(remote.Address), remote.ToString());
        Assert.True(seen.SameToken);
        Assert.Equal("socket-caller", seen.Header);
        Assert.Equal("bob", seen.User);
        Assert.Equal("/ws", seen.Path);
    }
}
