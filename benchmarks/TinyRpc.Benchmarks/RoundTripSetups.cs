using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Nerdbank.Streams;
using TinyRpc.AspNetCore;
using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Protocols.MsgPackRpc;
using TinyRpc.Transports;

namespace TinyRpc.Benchmarks;

/// <summary>
/// The contenders of one round-trip case, connected and checked: the floor (the raw library alone over the same kind
/// of connection, see Floors.cs), TinyRpc, and StreamJsonRpc where it has the transport.
/// </summary>
public sealed class RoundTripSetup : IAsyncDisposable
{
    /// <summary>The transports <see cref="CreateAsync"/> knows.</summary>
    public static readonly string[] Transports = ["inmemory", "tcp", "websocket", "http", "zmq-req", "zmq-dealer"];

    private readonly List<IAsyncDisposable> _owned = [];

    private RoundTripSetup(IContender floor, IContender tinyRpc, IContender? streamJsonRpc)
    {
        Floor = floor;
        TinyRpc = tinyRpc;
        StreamJsonRpc = streamJsonRpc;
    }

    public IContender Floor { get; }

    public IContender TinyRpc { get; }

    /// <summary>Null where StreamJsonRpc has no such transport (HTTP, ZeroMQ).</summary>
    public IContender? StreamJsonRpc { get; }

    /// <summary>
    /// Connects the contenders of <paramref name="transport"/> for <paramref name="method"/> and checks that each
    /// gives the right answer.
    /// </summary>
    /// <param name="text">reverse_string's argument; <see cref="Payloads.Text"/> when null.</param>
    /// <param name="messagePack">MSGPACK-RPC instead of JSON-RPC (in memory and TCP only; StreamJsonRpc then uses its
    /// MessagePack formatter, which writes JSON-RPC envelopes as MessagePack maps).</param>
    public static async Task<RoundTripSetup> CreateAsync(string transport, string method, string? text = null, bool messagePack = false)
    {
        RoundTripSetup setup = messagePack
            ? await CreateMessagePackAsync(transport, method, text)
            : transport switch
            {
                "inmemory" => CreateInMemory(method, text),
                "tcp" => await CreateTcpAsync(method, text),
                "websocket" => await CreateWebSocketAsync(method, text),
                "http" => await CreateHttpAsync(method, text),
                "zmq-req" => CreateZmq(dealer: false, method, text),
                "zmq-dealer" => CreateZmq(dealer: true, method, text),
                _ => throw new NotSupportedException($"No round-trip case for the {transport} transport."),
            };
        try
        {
            await setup.Floor.VerifyAsync();
            await setup.TinyRpc.VerifyAsync();
            if (setup.StreamJsonRpc is { } streamJsonRpc)
            {
                await streamJsonRpc.VerifyAsync();
            }
        }
        catch
        {
            await setup.DisposeAsync();
            throw;
        }

        return setup;
    }

    private static RoundTripSetup CreateInMemory(string method, string? text)
    {
        string argument = text ?? Payloads.Text;
        var floor = new ChannelFloor(Payloads.JsonRequest(method, argument), Payloads.JsonResponse(method, argument));
        (InMemoryClientTransport client, InMemoryServerTransport server) = InMemoryTransport.CreatePair();
        var tinyRpc = new TinyRpcContender(client, server, method, text: text);
        (IDuplexPipe a, IDuplexPipe b) = FullDuplexStream.CreatePipePair();
        return new RoundTripSetup(floor, tinyRpc, StreamJsonRpcContender.OverPipes(a, b, method, text));
    }

    private static async Task<RoundTripSetup> CreateTcpAsync(string method, string? text)
    {
        string argument = text ?? Payloads.Text;
        TcpFloor floor = await TcpFloor.ConnectAsync(Payloads.JsonRequest(method, argument), Payloads.JsonResponse(method, argument));
        TcpServerTransport server = TcpServerTransport.Loopback();
        StreamClientTransport client = await StreamClientTransport.ConnectTcpAsync("127.0.0.1", server.LocalEndPoint.Port);
        var tinyRpc = new TinyRpcContender(client, server, method, text: text);
        (NetworkStream clientStream, NetworkStream serverStream) = await ConnectTcpPairAsync();
        return new RoundTripSetup(floor, tinyRpc, StreamJsonRpcContender.OverStreams(clientStream, serverStream, method, text));
    }

    private static async Task<RoundTripSetup> CreateMessagePackAsync(string transport, string method, string? text)
    {
        // The floor answers with the request's own bytes: a MSGPACK-RPC reply to these calls is of about the same size.
        byte[] request = Payloads.MessagePackRequest(method, text ?? Payloads.Text);
        switch (transport)
        {
            case "inmemory":
            {
                (InMemoryClientTransport client, InMemoryServerTransport server) = InMemoryTransport.CreatePair();
                var tinyRpc = new TinyRpcContender(client, server, method, new MessagePackRpcProtocol(), text);
                (IDuplexPipe a, IDuplexPipe b) = FullDuplexStream.CreatePipePair();
                return new RoundTripSetup(new ChannelFloor(request, request), tinyRpc, StreamJsonRpcContender.OverPipesWithMessagePack(a, b, method, text));
            }

            case "tcp":
            {
                TcpFloor floor = await TcpFloor.ConnectAsync(request, request);
                TcpServerTransport server = TcpServerTransport.Loopback();
                StreamClientTransport client = await StreamClientTransport.ConnectTcpAsync("127.0.0.1", server.LocalEndPoint.Port);
                var tinyRpc = new TinyRpcContender(client, server, method, new MessagePackRpcProtocol(), text);
                (NetworkStream clientStream, NetworkStream serverStream) = await ConnectTcpPairAsync();
                return new RoundTripSetup(floor, tinyRpc, StreamJsonRpcContender.OverStreamsWithMessagePack(clientStream, serverStream, method, text));
            }

            default:
                throw new NotSupportedException($"No MSGPACK-RPC round-trip case for the {transport} transport.");
        }
    }

    private static WebApplication CreateApp()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        return builder.Build();
    }

    private static async Task<RoundTripSetup> CreateWebSocketAsync(string method, string? text)
    {
        string argument = text ?? Payloads.Text;
        WebApplication app = CreateApp();
        app.UseWebSockets();
        var tinyServer = new WebSocketServerTransport();
        app.MapTinyRpcWebSocket(tinyServer, "/tinyrpc", answerRoot: false);
        WebSocketFloor.MapServer(app, "/floor", Payloads.JsonResponse(method, argument));
        var accepted = new TaskCompletionSource<WebSocket>(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Map("/streamjsonrpc", async context =>
        {
            WebSocket socket = await context.WebSockets.AcceptWebSocketAsync();
            accepted.SetResult(socket);
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(static _ => { }, TaskScheduler.Default);
        });
        await app.StartAsync();
        string root = app.Urls.First().Replace("http://", "ws://", StringComparison.Ordinal);

        WebSocketFloor floor = await WebSocketFloor.ConnectAsync(new Uri(root + "/floor"), Payloads.JsonRequest(method, argument), Payloads.JsonResponse(method, argument));
        var tinyRpc = new TinyRpcContender(await WebSocketClientTransport.ConnectAsync(new Uri(root + "/tinyrpc")), tinyServer, method, text: text);
        var client = new ClientWebSocket();
        await client.ConnectAsync(new Uri(root + "/streamjsonrpc"), CancellationToken.None);
        var setup = new RoundTripSetup(floor, tinyRpc, StreamJsonRpcContender.OverWebSockets(client, await accepted.Task, method, text));
        setup._owned.Add(new Disposer(client.Dispose));
        setup._owned.Add(new AppOwner(app));
        return setup;
    }

    private static async Task<RoundTripSetup> CreateHttpAsync(string method, string? text)
    {
        string argument = text ?? Payloads.Text;
        WebApplication app = CreateApp();
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterInstance(new BenchService());
        app.MapTinyRpc("/tinyrpc", dispatcher, new JsonRpcProtocol());
        HttpFloor.MapServer(app, "/floor", Payloads.JsonResponse(method, argument));
        await app.StartAsync();
        string root = app.Urls.First();

        // One pool per contender, each allowed the connections that its outstanding HTTP/1.1 requests need.
        HttpClient floorHttp = CreateHttpClient();
        HttpClient tinyHttp = CreateHttpClient();
        var floor = new HttpFloor(floorHttp, new Uri(root + "/floor"), Payloads.JsonRequest(method, argument), Payloads.JsonResponse(method, argument));
        var tinyRpc = new TinyRpcContender(new RpcClient(new JsonRpcProtocol(), new HttpPostClientTransport(tinyHttp, new Uri(root + "/tinyrpc"))), method, text);
        var setup = new RoundTripSetup(floor, tinyRpc, null);
        setup._owned.Add(new Disposer(floorHttp.Dispose));
        setup._owned.Add(new Disposer(tinyHttp.Dispose));
        setup._owned.Add(new AppOwner(app));
        return setup;
    }

    /// <summary>Connections each HTTP pool may open: as many as the most outstanding calls measured over HTTP.</summary>
    public const int HttpConnections = 64;

    private static HttpClient CreateHttpClient() => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = HttpConnections,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
        UseProxy = false,
    })
    {
        Timeout = TimeSpan.FromSeconds(60),
    };

    private static RoundTripSetup CreateZmq(bool dealer, string method, string? text)
    {
        string argument = text ?? Payloads.Text;
        var floor = new ZmqFloor(dealer, Payloads.JsonRequest(method, argument), Payloads.JsonResponse(method, argument));
        ZmqServerTransport server = ZmqServerTransport.Create("tcp://127.0.0.1:*");
        TinyRpcContender tinyRpc = dealer
            ? new TinyRpcContender(ZmqDealerClientTransport.Create(server.Endpoint!), server, method, text: text)
            : new TinyRpcContender(ZmqClientTransport.Create(server.Endpoint!), server, method, text: text);

        // The client disposes its transport; the server transport is only IDisposable, which the contender leaves.
        var setup = new RoundTripSetup(floor, tinyRpc, null);
        setup._owned.Add(new Disposer(server.Dispose));
        return setup;
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

    public async ValueTask DisposeAsync()
    {
        await Floor.DisposeAsync();
        await TinyRpc.DisposeAsync();
        if (StreamJsonRpc is not null)
        {
            await StreamJsonRpc.DisposeAsync();
        }

        foreach (IAsyncDisposable owned in _owned)
        {
            await owned.DisposeAsync();
        }
    }

    private sealed class AppOwner(WebApplication app) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await app.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));
            await app.DisposeAsync();
        }
    }

    private sealed class Disposer(Action dispose) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            dispose();
            return ValueTask.CompletedTask;
        }
    }
}
