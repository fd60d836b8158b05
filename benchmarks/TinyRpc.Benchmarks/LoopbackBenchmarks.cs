using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using TinyRpc.Transports;

namespace TinyRpc.Benchmarks;

/// <summary>
/// Case 3: round trips over loopback, per transport. Each transport is measured against a raw echo of the same
/// bytes over that transport, and against StreamJsonRpc where it has the transport.
/// </summary>
public class LoopbackBenchmarks : RoundTripBenchmarks
{
    /// <summary>
    /// The transport under test. Still to come, each with its raw echo: "websocket" (Kestrel + ClientWebSocket,
    /// StreamJsonRpc has WebSocketMessageHandler), "http" (Kestrel + HttpClient) and "zeromq" (NetMQ), when
    /// TinyRpc.AspNetCore and TinyRpc.NetMQ are in the solution.
    /// </summary>
    [Params("tcp")]
    public string Transport { get; set; } = "tcp";

    protected override Task<(IContender TinyRpc, IContender StreamJsonRpc, RawEchoContender Echo)> CreateContendersAsync(string method)
        => Transport switch
        {
            "tcp" => CreateTcpAsync(method),
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

    // One loopback connection, Nagle off on both ends as TinyRpc's TCP transports have it.
    private static async Task<(NetworkStream Client, NetworkStream Server)> ConnectTcpPairAsync()
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
