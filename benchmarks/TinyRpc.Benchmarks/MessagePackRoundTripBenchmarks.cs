using Nerdbank.Streams;
using TinyRpc.Protocols;
using TinyRpc.Protocols.MsgPackRpc;
using TinyRpc.Transports;

namespace TinyRpc.Benchmarks;

/// <summary>
/// Cases 2 and 3 over MSGPACK-RPC: TinyRpc with <see cref="MessagePackRpcProtocol"/> against a raw echo of the
/// MSGPACK-RPC request bytes over the same transport, and StreamJsonRpc with its MessagePack formatter (JSON-RPC
/// envelopes encoded as MessagePack maps: not the MSGPACK-RPC wire format, but its binary path).
/// </summary>
public class MessagePackRoundTripBenchmarks : RoundTripBenchmarks
{
    /// <summary>
    /// "inmemory": <see cref="InMemoryTransport"/>, StreamJsonRpc over in-memory duplex pipes. "tcp": stream framing on
    /// 127.0.0.1, StreamJsonRpc over the NetworkStreams of one loopback connection.
    /// </summary>
    [BenchmarkDotNet.Attributes.Params("inmemory", "tcp")]
    public string Transport { get; set; } = "inmemory";

    protected override async Task<(IContender TinyRpc, IContender StreamJsonRpc, RawEchoContender Echo)> CreateContendersAsync(string method)
    {
        byte[] request = Payloads.MessagePackRequest(method);
        switch (Transport)
        {
            case "inmemory":
            {
                (InMemoryClientTransport client, InMemoryServerTransport server) = InMemoryTransport.CreatePair();
                var tinyRpc = new TinyRpcContender(client, server, method, new MessagePackRpcProtocol());
                (System.IO.Pipelines.IDuplexPipe a, System.IO.Pipelines.IDuplexPipe b) = FullDuplexStream.CreatePipePair();
                StreamJsonRpcContender streamJsonRpc = StreamJsonRpcContender.OverPipesWithMessagePack(a, b, method);
                (InMemoryClientTransport echoClient, InMemoryServerTransport echoServer) = InMemoryTransport.CreatePair();
                return (tinyRpc, streamJsonRpc, new RawEchoContender(echoClient, echoServer, request));
            }

            case "tcp":
            {
                TcpServerTransport tinyServer = TcpServerTransport.Loopback();
                StreamClientTransport tinyClient = await StreamClientTransport.ConnectTcpAsync("127.0.0.1", tinyServer.LocalEndPoint.Port);
                var tinyRpc = new TinyRpcContender(tinyClient, tinyServer, method, new MessagePackRpcProtocol());
                (System.Net.Sockets.NetworkStream clientStream, System.Net.Sockets.NetworkStream serverStream) = await LoopbackBenchmarks.ConnectTcpPairAsync();
                StreamJsonRpcContender streamJsonRpc = StreamJsonRpcContender.OverStreamsWithMessagePack(clientStream, serverStream, method);
                TcpServerTransport echoServer = TcpServerTransport.Loopback();
                StreamClientTransport echoClient = await StreamClientTransport.ConnectTcpAsync("127.0.0.1", echoServer.LocalEndPoint.Port);
                return (tinyRpc, streamJsonRpc, new RawEchoContender(echoClient, echoServer, request));
            }

            default:
                throw new NotSupportedException($"No MSGPACK-RPC benchmark for the {Transport} transport.");
        }
    }
}
