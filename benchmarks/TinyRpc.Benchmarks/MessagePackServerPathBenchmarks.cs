using BenchmarkDotNet.Attributes;
using TinyRpc.Dispatch;
using TinyRpc.Protocols;
using TinyRpc.Protocols.MsgPackRpc;
using TinyRpc.Server;
using TinyRpc.Transports;

namespace TinyRpc.Benchmarks;

/// <summary>
/// Case 1 over MSGPACK-RPC: request bytes are parsed, dispatched through the generated table and the response
/// bytes written, against a hand-written MessagePackReader/MessagePackWriter floor.
/// </summary>
[MemoryDiagnoser]
public class MessagePackServerPathBenchmarks
{
    private byte[] _request = [];
    private RpcServer _server = null!;
    private HandWrittenMessagePackServer _floor = null!;

    [Params(Payloads.ReverseString, Payloads.Add)]
    public string Call { get; set; } = Payloads.ReverseString;

    [GlobalSetup]
    public void Setup()
    {
        var protocol = new MessagePackRpcProtocol();
        _request = (Call == Payloads.Add
            ? protocol.CreateRequest(Payloads.Add, [Payloads.A, Payloads.B])
            : protocol.CreateRequest(Payloads.ReverseString, [Payloads.Text])).Serialize().ToArray();
        var service = new BenchService();
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterInstance(service);
        (_, InMemoryServerTransport transport) = InMemoryTransport.CreatePair();
        _server = new RpcServer(transport, new MessagePackRpcProtocol(), dispatcher);
        _floor = new HandWrittenMessagePackServer(service);

        // Both must give the same answer, or the comparison means nothing.
        Check.SameBytes(HandWritten().ToArray(), TinyRpc(), nameof(TinyRpc));
    }

    [Benchmark(Baseline = true)]
    public ReadOnlyMemory<byte> HandWritten() => _floor.Handle(_request);

    [Benchmark]
    public ReadOnlyMemory<byte> TinyRpc()
    {
        ValueTask<ReadOnlyMemory<byte>> reply = _server.HandleMessageAsync(_request);
        return reply.IsCompletedSuccessfully ? reply.Result : reply.AsTask().GetAwaiter().GetResult();
    }
}
