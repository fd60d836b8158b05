using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace TinyRpc.Benchmarks;

/// <summary>
/// Case 3 over HTTP: Kestrel on 127.0.0.1 and HttpClient. TinyRpc is a generated proxy → RpcClient →
/// HttpPostClientTransport → an app that maps TinyRpc with <c>MapTinyRpc</c>; the floor is HttpClient alone POSTing
/// the same request bytes to a minimal endpoint of the same Kestrel that reads the body and writes TinyRpc's reply
/// (Floors.cs). HTTP has no full-duplex client, so 64 outstanding means 64 POSTs in flight at once, each on a
/// connection of its own; StreamJsonRpc has no HTTP transport.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class HttpLoopbackBenchmarks
{
    private const string Sequential = "sequential";
    private const string Concurrent = "64 outstanding";

    private RoundTripSetup _setup = null!;

    [Params(Payloads.ReverseString, Payloads.Add)]
    public string Call { get; set; } = Payloads.ReverseString;

    [GlobalSetup]
    public void Setup()
    {
        _setup = RoundTripSetup.CreateAsync("http", Call).GetAwaiter().GetResult();

        // Both pools are filled before anything is measured.
        Task.WhenAll(TinyRpc64(), RawEcho64()).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup() => _setup.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true)]
    [BenchmarkCategory(Sequential)]
    public Task RawEcho() => _setup.Floor.CallAsync();

    [Benchmark]
    [BenchmarkCategory(Sequential)]
    public Task TinyRpc() => _setup.TinyRpc.CallAsync();

    [Benchmark(Baseline = true, OperationsPerInvoke = RoundTripBenchmarks.Outstanding)]
    [BenchmarkCategory(Concurrent)]
    public Task RawEcho64() => _setup.Floor.CallManyAsync(RoundTripBenchmarks.Outstanding);

    [Benchmark(OperationsPerInvoke = RoundTripBenchmarks.Outstanding)]
    [BenchmarkCategory(Concurrent)]
    public Task TinyRpc64() => _setup.TinyRpc.CallManyAsync(RoundTripBenchmarks.Outstanding);
}
