using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace TinyRpc.Benchmarks;

/// <summary>
/// Round trips through a client and a server over one transport: one call at a time, and 64 calls outstanding
/// (reported per call). The raw echo of the request's bytes over the same transport is the baseline (the floor);
/// StreamJsonRpc is the peer to beat.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public abstract class RoundTripBenchmarks
{
    public const int Outstanding = 64;

    private const string Sequential = "sequential";
    private const string Concurrent = "64 outstanding";

    private readonly Task[] _calls = new Task[Outstanding];
    private IContender _tinyRpc = null!;
    private IContender _streamJsonRpc = null!;
    private RawEchoContender _echo = null!;

    [Params(Payloads.ReverseString, Payloads.Add)]
    public string Call { get; set; } = Payloads.ReverseString;

    [GlobalSetup]
    public void Setup()
    {
        (_tinyRpc, _streamJsonRpc, _echo) = CreateContendersAsync(Call).GetAwaiter().GetResult();
        Task.WhenAll(_tinyRpc.VerifyAsync(), _streamJsonRpc.VerifyAsync(), _echo.VerifyAsync()).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _tinyRpc.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _streamJsonRpc.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _echo.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Connects the three contenders over the transport under test.</summary>
    protected abstract Task<(IContender TinyRpc, IContender StreamJsonRpc, RawEchoContender Echo)> CreateContendersAsync(string method);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory(Sequential)]
    public Task RawEcho() => _echo.CallAsync();

    [Benchmark]
    [BenchmarkCategory(Sequential)]
    public Task TinyRpc() => _tinyRpc.CallAsync();

    [Benchmark]
    [BenchmarkCategory(Sequential)]
    public Task StreamJsonRpc() => _streamJsonRpc.CallAsync();

    [Benchmark(Baseline = true, OperationsPerInvoke = Outstanding)]
    [BenchmarkCategory(Concurrent)]
    public Task RawEcho64() => _echo.CallManyAsync(Outstanding);

    [Benchmark(OperationsPerInvoke = Outstanding)]
    [BenchmarkCategory(Concurrent)]
    public Task TinyRpc64() => Many(_tinyRpc);

    [Benchmark(OperationsPerInvoke = Outstanding)]
    [BenchmarkCategory(Concurrent)]
    public Task StreamJsonRpc64() => Many(_streamJsonRpc);

    private Task Many(IContender contender)
    {
        for (int i = 0; i < _calls.Length; i++)
        {
            _calls[i] = contender.CallAsync();
        }

        return Task.WhenAll(_calls);
    }
}
