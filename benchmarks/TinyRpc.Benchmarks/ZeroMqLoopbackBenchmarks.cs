using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using TinyRpc.Transports;

namespace TinyRpc.Benchmarks;

/// <summary>
/// Case 3 over ZeroMQ (NetMQ, tcp on 127.0.0.1): a ROUTER server and a DEALER client, one call at a time and 64
/// outstanding, against a raw echo of the same bytes over the same sockets. StreamJsonRpc has no ZeroMQ transport.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ZeroMqLoopbackBenchmarks
{
    private const string Sequential = "sequential";
    private const string Concurrent = "64 outstanding";

    private readonly Task[] _calls = new Task[RoundTripBenchmarks.Outstanding];
    private readonly List<IDisposable> _sockets = [];
    private TinyRpcContender _tinyRpc = null!;
    private RawEchoContender _echo = null!;

    [Params(Payloads.ReverseString, Payloads.Add)]
    public string Call { get; set; } = Payloads.ReverseString;

    [GlobalSetup]
    public void Setup()
    {
        _tinyRpc = new TinyRpcContender(Dealer(out ZmqServerTransport server), server, Call);
        _echo = new RawEchoContender(Dealer(out ZmqServerTransport echoServer), echoServer, Call);
        Task.WhenAll(_tinyRpc.VerifyAsync(), _echo.VerifyAsync()).GetAwaiter().GetResult();
    }

    private ZmqDealerClientTransport Dealer(out ZmqServerTransport server)
    {
        server = ZmqServerTransport.Create("tcp://127.0.0.1:*");
        ZmqDealerClientTransport client = ZmqDealerClientTransport.Create(server.Endpoint!);
        _sockets.Add(client);
        _sockets.Add(server);
        return client;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _tinyRpc.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _echo.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _sockets.ForEach(static s => s.Dispose());
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory(Sequential)]
    public Task RawEcho() => _echo.CallAsync();

    [Benchmark]
    [BenchmarkCategory(Sequential)]
    public Task TinyRpc() => _tinyRpc.CallAsync();

    [Benchmark(Baseline = true, OperationsPerInvoke = RoundTripBenchmarks.Outstanding)]
    [BenchmarkCategory(Concurrent)]
    public Task RawEcho64() => _echo.CallManyAsync(RoundTripBenchmarks.Outstanding);

    [Benchmark(OperationsPerInvoke = RoundTripBenchmarks.Outstanding)]
    [BenchmarkCategory(Concurrent)]
    public Task TinyRpc64()
    {
        for (int i = 0; i < _calls.Length; i++)
        {
            _calls[i] = _tinyRpc.CallAsync();
        }

        return Task.WhenAll(_calls);
    }
}
