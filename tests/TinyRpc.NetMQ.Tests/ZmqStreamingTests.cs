using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Server;
using TinyRpc.Tests.Streaming;
using TinyRpc.Transports;

namespace TinyRpc.NetMQ.Tests;

/// <summary>
/// Streams and progress between a ZeroMQ ROUTER server and its DEALER clients (each an <see cref="RpcConnection"/>
/// over <see cref="ZmqDealerClientTransport"/>), over real sockets on this machine: a stream the server produces, the
/// progress of a client's call, and the progress of the server's call back to a client.
/// </summary>
public sealed class ZmqStreamingTests : IAsyncDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    private readonly JsonRpcProtocol _protocol = new();
    private readonly StreamingService _service = new();
    private readonly ZmqServerTransport _transport;
    private readonly RpcServer _server;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;

    public ZmqStreamingTests()
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterInstance(_service);
        dispatcher.AddMethod("audit_client", async (request, cancellationToken) =>
        {
            var progress = new RecordingProgress<int>();
            int result = await RpcConnection.Of(request)!.GetProxy<IStreamingService>().WorkAsync(200, progress).WaitAsync(cancellationToken);
            return request.Respond(result == 200 && progress.Reports.SequenceEqual(Enumerable.Range(1, 200)) ? "ordered" : $"got {progress.Reports.Length}");
        }, []);
        _transport = ZmqServerTransport.Create("tcp://127.0.0.1:*");
        _server = new RpcServer(_transport, _protocol, dispatcher);
        _serving = _server.ServeForeverAsync(_stop.Token);
    }

    private RpcConnection Connect(IRpcDispatcher? callbacks = null) => new(_protocol, ZmqDealerClientTransport.Create(_transport.Endpoint!), callbacks);

    [Fact]
    public async Task A_stream_from_a_ROUTER_server_reaches_its_DEALER_client_in_order_and_stops_when_left()
    {
        await using RpcConnection client = Connect();

        var values = new List<int>();
        await foreach (int value in client.GetProxy<IStreamingService>().CountAsync(25).WithCancellation(TestContext.Current.CancellationToken))
        {
            values.Add(value);
        }

        Assert.Equal(Enumerable.Range(0, 25), values);

        await foreach (int value in client.GetProxy<IStreamingService>().EndlessAsync().WithCancellation(TestContext.Current.CancellationToken))
        {
            if (value == 3)
            {
                break;
            }
        }

        await _service.Cancelled.WaitAsync(Limit);
        await _service.Disposed.WaitAsync(Limit);
    }

    [Fact]
    public async Task Progress_from_a_ROUTER_server_reaches_its_DEALER_client_in_order_before_the_call_completes()
    {
        await using RpcConnection client = Connect();
        var progress = new RecordingProgress<int>();

        int result = await client.GetProxy<IStreamingService>().WorkAsync(300, progress).WaitAsync(Limit);

        Assert.Equal(300, result);
        Assert.Equal(Enumerable.Range(1, 300), progress.Reports);
    }

    [Fact]
    public async Task A_ROUTER_servers_call_back_to_its_DEALER_client_gets_every_progress_report_in_order()
    {
        var callbacks = new RpcDispatcher();
        callbacks.RegisterInstance(new StreamingService());
        await using RpcConnection client = Connect(callbacks);

        for (int i = 0; i < 3; i++)
        {
            Assert.Equal("ordered", await client.CallAsync<string>("audit_client").WaitAsync(Limit));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _transport.Dispose();
        await _serving.WaitAsync(Limit);
        _stop.Dispose();
    }
}
