using BenchmarkDotNet.Attributes;
using TinyRpc.Dispatch;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Server;
using TinyRpc.Transports;

namespace TinyRpc.Benchmarks;

/// <summary>
/// Case 1: the server path in one thread. Request bytes are parsed, dispatched through the generated table and
/// the response bytes written, with no transport in between.
/// </summary>
/// <remarks>
/// MSGPACK-RPC: once TinyRpc.MessagePack exists, add a protocol parameter here with a MessagePackRpcProtocol
/// server and a MessagePackReader/MessagePackWriter floor beside <see cref="HandWrittenJsonServer"/>.
/// </remarks>
[MemoryDiagnoser]
public class ServerPathBenchmarks
{
    private byte[] _request = [];
    private RpcServer _server = null!;
    private HandWrittenJsonServer _floor = null!;
    private ReflectionJsonServer _reflection = null!;

    [Params(Payloads.ReverseString, Payloads.Add)]
    public string Call { get; set; } = Payloads.ReverseString;

    [GlobalSetup]
    public void Setup()
    {
        _request = Payloads.JsonRequest(Call);
        var service = new BenchService();
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterInstance(service);
        (_, InMemoryServerTransport transport) = InMemoryTransport.CreatePair();
        _server = new RpcServer(transport, new JsonRpcProtocol(), dispatcher);
        _floor = new HandWrittenJsonServer(service);
        _reflection = new ReflectionJsonServer(service);

        // Every contender must give the same answer, or the comparison means nothing.
        byte[] expected = Payloads.JsonResponse(Call);
        Check.SameBytes(expected, HandWritten(), nameof(HandWritten));
        Check.SameBytes(expected, TinyRpc(), nameof(TinyRpc));
        Check.SameBytes(expected, Reflection(), nameof(Reflection));
    }

    [Benchmark(Baseline = true)]
    public ReadOnlyMemory<byte> HandWritten() => _floor.Handle(_request);

    [Benchmark]
    public ReadOnlyMemory<byte> TinyRpc()
    {
        ValueTask<ReadOnlyMemory<byte>> reply = _server.HandleMessageAsync(_request);
        return reply.IsCompletedSuccessfully ? reply.Result : reply.AsTask().GetAwaiter().GetResult();
    }

    [Benchmark]
    public byte[] Reflection() => _reflection.Handle(_request);

    // The same server path while listeners record TinyRpc's server spans and histograms: what tracing costs. The
    // listeners are process-wide, so they live only while this benchmark runs.
    private TelemetryListeners? _listening;

    [GlobalSetup(Target = nameof(TinyRpcListening))]
    public void SetupListening()
    {
        Setup();
        _listening = new TelemetryListeners();
        Check.SameBytes(Payloads.JsonResponse(Call), TinyRpcListening(), nameof(TinyRpcListening));
    }

    [GlobalCleanup(Target = nameof(TinyRpcListening))]
    public void CleanupListening() => _listening?.Dispose();

    [Benchmark]
    public ReadOnlyMemory<byte> TinyRpcListening() => TinyRpc();
}
