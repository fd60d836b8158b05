using Nerdbank.Streams;
using TinyRpc.Transports;

namespace TinyRpc.Benchmarks;

/// <summary>
/// Case 2: round trips in memory. TinyRpc and the raw echo use InMemoryTransport; StreamJsonRpc uses a pair of
/// in-memory duplex pipes, its own fastest in-process path.
/// </summary>
public class InMemoryBenchmarks : RoundTripBenchmarks
{
    protected override Task<(IContender TinyRpc, IContender StreamJsonRpc, RawEchoContender Echo)> CreateContendersAsync(string method)
    {
        (InMemoryClientTransport client, InMemoryServerTransport server) = InMemoryTransport.CreatePair();
        var tinyRpc = new TinyRpcContender(client, server, method);
        (System.IO.Pipelines.IDuplexPipe a, System.IO.Pipelines.IDuplexPipe b) = FullDuplexStream.CreatePipePair();
        StreamJsonRpcContender streamJsonRpc = StreamJsonRpcContender.OverPipes(a, b, method);
        (InMemoryClientTransport echoClient, InMemoryServerTransport echoServer) = InMemoryTransport.CreatePair();
        var echo = new RawEchoContender(echoClient, echoServer, method);
        return Task.FromResult<(IContender, IContender, RawEchoContender)>((tinyRpc, streamJsonRpc, echo));
    }
}
