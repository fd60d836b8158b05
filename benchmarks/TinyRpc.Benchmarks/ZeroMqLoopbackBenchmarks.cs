using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace TinyRpc.Benchmarks;

/// <summary>
/// Case 3 over ZeroMQ (NetMQ, tcp on 127.0.0.1): TinyRpc's ROUTER server with its DEALER client (one call at a time
/// and 64 outstanding) and with its REQ client (one at a time, as REQ allows), each against its floor: NetMQ's own
/// DEALER or REQ socket talking to a ROUTER socket that answers every request (Floors.cs). StreamJsonRpc has no
/// ZeroMQ transport.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ZeroMqLoopbackBenchmarks
{
    private const string Sequential = "sequential";
    private const string SequentialRequest = "sequential REQ";
    private const string Concurrent = "64 outstanding";

    private RoundTripSetup _dealer = null!;
    private RoundTripSetup _request = null!;

    [Params(Payloads.ReverseString, Payloads.Add)]
    public string Call { get; set; } = Payloads.ReverseString;

    [GlobalSetup]
    public void Setup()
    {
        _dealer = RoundTripSetup.CreateAsync("zmq-dealer", Call).GetAwaiter().GetResult();
        _request = RoundTripSetup.CreateAsync("zmq-req", Call).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _dealer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _request.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory(Sequential)]
    public Task RawEcho() => _dealer.Floor.CallAsync();

    [Benchmark]
    [BenchmarkCategory(Sequential)]
    public Task TinyRpc() => _dealer.TinyRpc.CallAsync();

    [Benchmark(Baseline = true)]
    [BenchmarkCategory(SequentialRequest)]
    public Task RawEchoReq() => _request.Floor.CallAsync();

    [Benchmark]
    [BenchmarkCategory(SequentialRequest)]
    public Task TinyRpcReq() => _request.TinyRpc.CallAsync();

    [Benchmark(Baseline = true, OperationsPerInvoke = RoundTripBenchmarks.Outstanding)]
    [BenchmarkCategory(Concurrent)]
    public Task RawEcho64() => _dealer.Floor.CallManyAsync(RoundTripBenchmarks.Outstanding);

    [Benchmark(OperationsPerInvoke = RoundTripBenchmarks.Outstanding)]
    [BenchmarkCategory(Concurrent)]
    public Task TinyRpc64() => _dealer.TinyRpc.CallManyAsync(RoundTripBenchmarks.Outstanding);
}
