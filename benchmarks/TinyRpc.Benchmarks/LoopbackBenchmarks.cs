using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using TinyRpc.AspNetCore;
using TinyRpc.Transports;

namespace TinyRpc.Benchmarks;

/// <summary>
/// Case 3: round trips over loopback, per transport. Each transport is measured against a raw echo of the same
/// bytes over that transport, and against StreamJsonRpc where it has the transport.
/// </summary>
public class LoopbackBenchmarks : RoundTripBenchmarks
{
    /// <summary>
    /// The transport under test: "tcp" (stream framing) or "websocket" (Kestrel on 127.0.0.1 and ClientWebSocket;
    /// StreamJsonRpc over its WebSocketMessageHandler). ZeroMQ has a class of its own
    /// (<see cref="ZeroMqLoopbackBenchmarks"/>), since StreamJsonRpc has no ZeroMQ transport.
    /// </summary>
    [Params("tcp", "websocket")]
    public string Transport { get; set; } = "tcp";

    protected override Task<(IContender TinyRpc, IContender StreamJsonRpc, RawEchoContender Echo)> CreateContendersAsync(string method)
        => Transport switch
        {
            "tcp" => CreateTcpAsync(method),
            "websocket" => CreateWebSocketAsync(method),
            _ => throw new NotSupportedException($"No benchmark for the {Transport} transport yet."),
        };

    private static async Task<(IContender TinyRpc, IContender StreamJsonRpc, RawEchoContender Echo)> CreateTcpAsync(string method)
    {
        TcpServerTransport tinyServer = TcpServerTransport.Loopback();
        StreamClientTransport tinyClient = await StreamClientTransport.ConnectTcpAsync("127.0.0.1", tinyServer.LocalEndPoint.Port);
        var tinyRpc = new TinyRpcContender(tinyClient, tinyServer, method);

        (NetworkStream clientStream, NetworkStream serverStream) = await ConnectTcpPairAsync();
        StreamJsonRpcContender streamJsonRpc = StreamJsonRpcContender.OverStreams(clientStream, serverStream, method);

        TcpServerTransport echoServer = TcpServerTransport.Loopback();
        StreamClientTransport echoClient = await StreamClientTransport.ConnectTcpAsync("127.0.0.1", echoServer.LocalEndPoint.Port);
        var echo = new RawEchoContender(echoClient, echoServer, method);
        return (tinyRpc, streamJsonRpc, echo);
    }

    // Kestrel lives as long as the benchmark process: each benchmark case runs in a process of its own.
    private static async Task<(IContender TinyRpc, IContender StreamJsonRpc, RawEchoContender Echo)> CreateWebSocketAsync(string method)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        WebApplication app = builder.Build();
        app.UseWebSockets();
        var tinyServer = new WebSocketServerTransport();
        var echoServer = new WebSocketServerTransport();
        app.MapTinyRpcWebSocket(tinyServer, "/tinyrpc", answerRoot: false);
        app.MapTinyRpcWebSocket(echoServer, "/echo", answerRoot: false);
        var accepted = new TaskCompletionSource<WebSocket>(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Map("/streamjsonrpc", async context =>
        {
            WebSocket socket = await context.WebSockets.AcceptWebSocketAsync();
            accepted.SetResult(socket);
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(static _ => { }, TaskScheduler.Default);
        });
        await app.StartAsync();
        string root = app.Urls.First().Replace("http://", "ws://", StringComparison.Ordinal);

        var tinyRpc = new TinyRpcContender(await WebSocketClientTransport.ConnectAsync(new Uri(root + "/tinyrpc")), tinyServer, method);
        var echo = new RawEchoContender(await WebSocketClientTransport.ConnectAsync(new Uri(root + "/echo")), echoServer, method);
        var client = new ClientWebSocket();
        await client.ConnectAsync(new Uri(root + "/streamjsonrpc"), CancellationToken.None);
        StreamJsonRpcContender streamJsonRpc = StreamJsonRpcContender.OverWebSockets(client, await accepted.Task, method);
        return (tinyRpc, streamJsonRpc, echo);
    }

    // One loopback connection, Nagle off on both ends as TinyRpc's TCP transports have it.
    internal static async Task<(NetworkStream Client, NetworkStream Server)> ConnectTcpPairAsync()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var client = new TcpClient { NoDelay = true };
            Task<TcpClient> accept = listener.AcceptTcpClientAsync();
            await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
            TcpClient server = await accept;
            server.NoDelay = true;
            return (client.GetStream(), server.GetStream());
        }
        finally
        {
            listener.Stop();
        }
    }
}
