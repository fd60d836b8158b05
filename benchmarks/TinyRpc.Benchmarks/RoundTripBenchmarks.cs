using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace TinyRpc.Benchmarks;

/// <summary>
/// Round trips through a client and a server over one transport: one call at a time, and 64 calls outstanding
/// (reported per call). The floor, the raw library alone moving the same bytes over the same kind of connection
/// (Floors.cs), is the baseline; StreamJsonRpc is the peer to beat. The methods keep the name RawEcho for the floor.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public abstract class RoundTripBenchmarks
{
    public const int Outstanding = 64;

    private const string Sequential = "sequential";
    private const string Concurrent = "64 outstanding";

    private RoundTripSetup _setup = null!;

    [Params(Payloads.ReverseString, Payloads.Add)]
    public string Call { get; set; } = Payloads.ReverseString;

    [GlobalSetup]
    public void Setup()
    {
        _setup = CreateSetupAsync(Call).GetAwaiter().GetResult();
        if (_setup.StreamJsonRpc is null)
        {
            throw new InvalidOperationException("A round-trip class measures StreamJsonRpc too.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _setup.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Connects and checks the three contenders over the transport under test.</summary>
    protected abstract Task<RoundTripSetup> CreateSetupAsync(string method);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory(Sequential)]
    public Task RawEcho() => _setup.Floor.CallAsync();

    [Benchmark]
    [BenchmarkCategory(Sequential)]
    public Task TinyRpc() => _setup.TinyRpc.CallAsync();

    [Benchmark]
    [BenchmarkCategory(Sequential)]
    public Task StreamJsonRpc() => _setup.StreamJsonRpc!.CallAsync();

    [Benchmark(Baseline = true, OperationsPerInvoke = Outstanding)]
    [BenchmarkCategory(Concurrent)]
    public Task RawEcho64() => _setup.Floor.CallManyAsync(Outstanding);

    [Benchmark(OperationsPerInvoke = Outstanding)]
    [BenchmarkCategory(Concurrent)]
    public Task TinyRpc64() => _setup.TinyRpc.CallManyAsync(Outstanding);

    [Benchmark(OperationsPerInvoke = Outstanding)]
    [BenchmarkCategory(Concurrent)]
    public Task StreamJsonRpc64() => _setup.StreamJsonRpc!.CallManyAsync(Outstanding);
}
