using MessagePack;
using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.MsgPackRpc;
using TinyRpc.Server;
using TinyRpc.Tests.Streaming;
using TinyRpc.Transports;

namespace TinyRpc.MessagePack.Tests;

/// <summary>
/// Streams and progress reports over MSGPACK-RPC: the same messages as JSON-RPC's (<c>$/enumerator/next</c>,
/// <c>$/enumerator/abort</c>, <c>$/progress</c>), with positional parameters, and results that are msgpack maps with
/// the keys of StreamJsonRpc's objects. Over TCP connections on this machine, through generated proxies.
/// </summary>
public class StreamingTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    [Fact]
    public void A_stream_page_is_a_map_with_the_keys_of_the_json_object()
    {
        var protocol = new MessagePackRpcProtocol();
        var request = (RpcRequest)protocol.ParseRequest(protocol.CreateRequestBuilder("count").Add(2).Build().Serialize());

        RpcResponse response = request.Respond(new RpcStreamPage { Token = 7, Values = [protocol.EncodeValue(1), protocol.EncodeValue("two")] })!;
        var reply = (RpcResponse)protocol.ParseReply(response.Serialize());
        byte[] result = MessagePackSerializer.Serialize(reply.GetResult<object>());

        Assert.Equal("""{"token":7,"values":[1,"two"]}""", MessagePackSerializer.ConvertToJson(result));
        RpcStreamPage page = reply.GetResult<RpcStreamPage>();
        Assert.Equal(7, page.Token);
        Assert.Equal("two", protocol.DecodeValue<string>(page.Values![1]));
        Assert.Null(page.Finished);
    }

    [Fact]
    public async Task A_stream_returns_every_value_in_order_and_the_producer_is_never_ahead()
    {
        var service = new StreamingService();
        await using Served served = Served.Start(service);
        await using RpcConnection client = await served.ConnectAsync();
        IStreamingService proxy = client.GetProxy<IStreamingService>();

        var values = new List<int>();
        await foreach (int value in proxy.CountAsync(20))
        {
            values.Add(value);
            Assert.Equal(values.Count, await proxy.ProducedAsync().WaitAsync(Limit));
        }

        Assert.Equal(Enumerable.Range(0, 20), values);
        await service.Disposed.WaitAsync(Limit);
    }

    [Fact]
    public async Task Disposing_the_stream_early_stops_the_producer()
    {
        var service = new StreamingService();
        await using Served served = Served.Start(service);
        await using RpcConnection client = await served.ConnectAsync();

        await using (IAsyncEnumerator<int> values = client.GetProxy<IStreamingService>().EndlessAsync().GetAsyncEnumerator())
        {
            Assert.True(await values.MoveNextAsync().AsTask().WaitAsync(Limit));
        }

        await service.Cancelled.WaitAsync(Limit);
        await service.Disposed.WaitAsync(Limit);
    }

    [Fact]
    public async Task Cancelling_the_consumer_while_it_waits_stops_the_producer()
    {
        var service = new StreamingService();
        await using Served served = Served.Start(service);
        await using RpcConnection client = await served.ConnectAsync();
        using var cancel = new CancellationTokenSource();

        IAsyncEnumerator<string> values = client.GetProxy<IStreamingService>().StallAsync(1, cancel.Token).GetAsyncEnumerator();
        Assert.True(await values.MoveNextAsync().AsTask().WaitAsync(Limit));
        Assert.Equal("value 0", values.Current);
        Task<bool> waiting = values.MoveNextAsync().AsTask();
        await service.Stalled.WaitAsync(Limit);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Limit));
        await values.DisposeAsync();
        await service.Cancelled.WaitAsync(Limit);
        await service.Disposed.WaitAsync(Limit);
    }

    [Fact]
    public async Task A_dropped_connection_fails_the_consumer_and_disposes_the_producer()
    {
        var service = new StreamingService();
        Served served = Served.Start(service);
        await using RpcConnection client = await served.ConnectAsync();

        await using IAsyncEnumerator<string> values = client.GetProxy<IStreamingService>().StallAsync(1).GetAsyncEnumerator();
        Assert.True(await values.MoveNextAsync().AsTask().WaitAsync(Limit));
        Task<bool> waiting = values.MoveNextAsync().AsTask();
        await service.Stalled.WaitAsync(Limit);
        await served.DisposeAsync();

        // The stopping server cancels the next it was serving, and may get its "cancelled" answer out before the
        // connection closes; otherwise the consumer learns that the connection ended.
        RpcException error = await Assert.ThrowsAnyAsync<RpcException>(() => waiting.WaitAsync(Limit));
        Assert.True(error is RpcTransportException || error.Code == RpcErrorCodes.RequestCancelled, error.ToString());
        await service.Cancelled.WaitAsync(Limit);
        await service.Disposed.WaitAsync(Limit);
    }

    [Fact]
    public async Task An_unknown_stream_token_is_answered_with_minus_32001()
    {
        await using Served served = Served.Start(new StreamingService());
        await using RpcConnection client = await served.ConnectAsync();

        RpcException error = await Assert.ThrowsAnyAsync<RpcException>(() => client.CallAsync<object>(RpcProtocol.EnumeratorNextMethod, 99L).WaitAsync(Limit));
        Assert.Equal(RpcErrorCodes.RemoteObjectNotFound, error.Code);
        Assert.Equal("This remote object no longer exists.", error.Message);
    }

    [Fact]
    public async Task Progress_reports_arrive_in_order_and_all_before_the_call_completes()
    {
        await using Served served = Served.Start(new StreamingService());
        await using RpcConnection client = await served.ConnectAsync();
        var progress = new RecordingProgress<int>();

        Assert.Equal(150, await client.GetProxy<IStreamingService>().WorkAsync(150, progress).WaitAsync(Limit));
        Assert.Equal(Enumerable.Range(1, 150), progress.Reports);
    }

    private sealed class Served : IAsyncDisposable
    {
        private readonly TcpServerTransport _transport;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _serving;
        private bool _disposed;

        private Served(TcpServerTransport transport, RpcServer server)
        {
            _transport = transport;
            _serving = server.ServeForeverAsync(_stop.Token);
        }

        public static Served Start(StreamingService service)
        {
            var dispatcher = new RpcDispatcher();
            dispatcher.RegisterInstance(service);
            var transport = TcpServerTransport.Loopback();
            return new Served(transport, new RpcServer(transport, new MessagePackRpcProtocol(), dispatcher));
        }

        public async Task<RpcConnection> ConnectAsync()
            => new(new MessagePackRpcProtocol(), await StreamClientTransport.ConnectTcpAsync("127.0.0.1", _transport.LocalEndPoint.Port));

        public async ValueTask DisposeAsync()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            await _stop.CancelAsync();
            await _transport.DisposeAsync();
            await _serving.WaitAsync(Limit);
            _stop.Dispose();
        }
    }
}
