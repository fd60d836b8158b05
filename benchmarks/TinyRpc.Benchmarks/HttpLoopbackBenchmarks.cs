using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using TinyRpc.AspNetCore;
using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Transports;

namespace TinyRpc.Benchmarks;

/// <summary>
/// Case 3 over HTTP: Kestrel on 127.0.0.1 and HttpClient. TinyRpc is a generated proxy → <see cref="RpcClient"/> →
/// <see cref="HttpPostClientTransport"/> → an app that maps TinyRpc with <c>MapTinyRpc</c>; the raw echo POSTs the same
/// request bytes through the same client transport to an endpoint of the same Kestrel that returns the body
/// unchanged. HTTP has no full-duplex client, so 64 outstanding means 64 POSTs in flight at once, each on a
/// connection of its own; StreamJsonRpc has no HTTP transport.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class HttpLoopbackBenchmarks
{
    private const string Sequential = "sequential";
    private const string Concurrent = "64 outstanding";

    private readonly Task[] _calls = new Task[RoundTripBenchmarks.Outstanding];
    private WebApplication _app = null!;
    private HttpClient _tinyHttp = null!;
    private HttpClient _echoHttp = null!;
    private RpcClient _client = null!;
    private IBenchService _proxy = null!;
    private HttpPostClientTransport _echo = null!;
    private byte[] _request = [];
    private bool _add;

    [Params(Payloads.ReverseString, Payloads.Add)]
    public string Call { get; set; } = Payloads.ReverseString;

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterInstance(new BenchService());
        _app.MapTinyRpc("/tinyrpc", dispatcher, new JsonRpcProtocol());
        _app.MapPost("/echo", EchoAsync);
        await _app.StartAsync();
        string root = _app.Urls.First();

        _add = Call == Payloads.Add;
        _request = Payloads.JsonRequest(Call);

        // One pool per contender, each allowed the 64 connections that 64 outstanding HTTP/1.1 requests need.
        _tinyHttp = CreateHttpClient();
        _echoHttp = CreateHttpClient();
        _client = new RpcClient(new JsonRpcProtocol(), new HttpPostClientTransport(_tinyHttp, new Uri(root + "/tinyrpc")));
        _proxy = _client.GetProxy<IBenchService>();
        _echo = new HttpPostClientTransport(_echoHttp, new Uri(root + "/echo"));

        // Both must give the right answer, and the pools are filled before anything is measured.
        if (_add)
        {
            Check.Equal(42, await _proxy.AddAsync(Payloads.A, Payloads.B), nameof(TinyRpc));
        }
        else
        {
            Check.Equal(BenchService.Reverse(Payloads.Text), await _proxy.ReverseStringAsync(Payloads.Text), nameof(TinyRpc));
        }

        ReadOnlyMemory<byte> echoed = await _echo.SendMessageAsync(_request);
        Check.SameBytes(_request, echoed, nameof(RawEcho));
        await TinyRpc64();
        await RawEcho64();
    }

    private static HttpClient CreateHttpClient() => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = RoundTripBenchmarks.Outstanding,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
        UseProxy = false,
    })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    // Returns the request body as it came, with the status and content type TinyRpc's handler gives a reply.
    private static async Task EchoAsync(HttpContext context)
    {
        ReadOnlyMemory<byte> body = await ReadAllAsync(context);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }

    // The body read into one array of its declared length (HttpPostClientTransport always declares it).
    private static async Task<ReadOnlyMemory<byte>> ReadAllAsync(HttpContext context)
    {
        long declared = context.Request.ContentLength ?? throw new InvalidOperationException("The echo needs a Content-Length.");
        byte[] body = declared is >= 0 and <= 1 << 20 ? new byte[declared] : throw new InvalidOperationException("The echo takes at most 1 MB.");
        await context.Request.Body.ReadExactlyAsync(body, context.RequestAborted);
        return body;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _echo.Dispose();
        _tinyHttp.Dispose();
        _echoHttp.Dispose();
        _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
        _app.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory(Sequential)]
    public ValueTask<ReadOnlyMemory<byte>> RawEcho() => _echo.SendMessageAsync(_request);

    [Benchmark]
    [BenchmarkCategory(Sequential)]
    public Task TinyRpc() => _add ? _proxy.AddAsync(Payloads.A, Payloads.B) : _proxy.ReverseStringAsync(Payloads.Text);

    [Benchmark(Baseline = true, OperationsPerInvoke = RoundTripBenchmarks.Outstanding)]
    [BenchmarkCategory(Concurrent)]
    public Task RawEcho64()
    {
        for (int i = 0; i < _calls.Length; i++)
        {
            _calls[i] = RawEcho().AsTask();
        }

        return Task.WhenAll(_calls);
    }

    [Benchmark(OperationsPerInvoke = RoundTripBenchmarks.Outstanding)]
    [BenchmarkCategory(Concurrent)]
    public Task TinyRpc64()
    {
        for (int i = 0; i < _calls.Length; i++)
        {
            _calls[i] = TinyRpc();
        }

        return Task.WhenAll(_calls);
    }
}
