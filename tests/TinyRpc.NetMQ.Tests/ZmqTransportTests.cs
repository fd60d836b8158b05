using System.Text;
using System.Text.Json;
using NetMQ;
using NetMQ.Sockets;
using TinyRpc.Client;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Server;
using TinyRpc.Transports;

namespace TinyRpc.NetMQ.Tests;

public sealed class ZmqTransportTests
{
    private static readonly TimeSpan Limit = TestService.Limit;

    /// <summary>A server on a free loopback port, serving until disposed.</summary>
    internal sealed class RunningServer : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new(Limit);
        private readonly Task _serving;

        public RunningServer(ZmqServerTransport? transport = null, RpcServerOptions? options = null)
        {
            Transport = transport ?? ZmqServerTransport.Create("tcp://127.0.0.1:*");
            Endpoint = Transport.Endpoint ?? throw new InvalidOperationException("No endpoint.");
            _serving = new RpcServer(Transport, new JsonRpcProtocol(), TestService.CreateDispatcher(), options).ServeForeverAsync(_stop.Token);
        }

        public ZmqServerTransport Transport { get; }

        public string Endpoint { get; }

        public async ValueTask DisposeAsync()
        {
            Transport.Dispose();
            await _serving.WaitAsync(Limit);
            await _stop.CancelAsync();
            _stop.Dispose();
        }
    }

    [Fact]
    public async Task Req_client_and_router_server_round_trip()
    {
        await using var server = new RunningServer();
        Assert.Matches(@"^tcp://127\.0\.0\.1:\d+$", server.Endpoint);
        await using var client = new RpcClient(new JsonRpcProtocol(), ZmqClientTransport.Create(server.Endpoint));

        Assert.Equal("!dlroW ,olleH", await client.CallAsync<string>("reverse_string", "Hello, World!"));
        Assert.Equal(7, await client.CallAsync<int>("subtract", 10, 3));

        // A notification gets an empty frame back, which the REQ socket discards before the next call.
        await client.NotifyAsync("subtract", [1, 2]);
        Assert.Equal(-1, await client.CallAsync<int>("subtract", 1, 2));

        RpcResponse[] batch = await client.BatchCallAsync([new RpcCall("subtract", [10, 3]), new RpcCall("nope")]);
        Assert.Equal(7, batch[0].GetResult<int>());
        Assert.Equal(RpcErrorCodes.MethodNotFound, ((RpcErrorResponse)batch[1]).Code);

        var error = await Assert.ThrowsAnyAsync<RpcException>(() => client.CallAsync<int>("nope"));
        Assert.Equal(RpcErrorCodes.MethodNotFound, error.Code);

        // Calls from many threads share the one REQ socket one exchange at a time.
        int[] results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() => client.CallAsync<int>("subtract", i, 1))));
        Assert.Equal(Enumerable.Range(-1, 200), results);
    }

    [Fact]
    public async Task Transports_are_constructible_from_sockets()
    {
        var router = new RouterSocket();
        int port = router.BindRandomPort("tcp://127.0.0.1");
        await using var server = new RunningServer(new ZmqServerTransport(router));
        Assert.EndsWith(":" + port, server.Endpoint, StringComparison.Ordinal);

        var req = new RequestSocket();
        req.Connect(server.Endpoint);
        await using (var client = new RpcClient(new JsonRpcProtocol(), new ZmqClientTransport(req)))
        {
            Assert.Equal("cba", await client.CallAsync<string>("reverse_string", "abc"));
        }

        var dealer = new DealerSocket();
        dealer.Connect(server.Endpoint);
        await using (var client = new RpcClient(new JsonRpcProtocol(), new ZmqDealerClientTransport(dealer)))
        {
            Assert.Equal("cba", await client.CallAsync<string>("reverse_string", "abc"));
        }
    }

    [Fact]
    public async Task Req_timeout_raises_a_clear_error_and_recreates_the_socket()
    {
        await using var server = new RunningServer();
        using var transport = ZmqClientTransport.Create(server.Endpoint);
        transport.Timeout = TimeSpan.FromMilliseconds(300);
        await using var client = new RpcClient(new JsonRpcProtocol(), transport);

        var error = await Assert.ThrowsAsync<RpcTransportException>(() => client.CallAsync<int>("sleep", 3000));
        Assert.Contains("No reply within 0.3 s", error.Message, StringComparison.Ordinal);
        Assert.Contains("replaced by a new one", error.Message, StringComparison.Ordinal);
        Assert.IsType<TimeoutException>(error.InnerException);
        Assert.Equal(1, transport.SocketsRecreated);

        // The new socket is in a fresh state: the late reply to the first call never reaches it.
        transport.Timeout = Limit;
        Assert.Equal(5, await client.CallAsync<int>("sleep", 5));
        Assert.Equal("ba", await client.CallAsync<string>("reverse_string", "ab"));
    }

    [Fact]
    public async Task Req_client_recovers_when_the_server_starts_late()
    {
        // The client connects before anything listens on the endpoint.
        string endpoint = FreeEndpoint();

        using var transport = ZmqClientTransport.Create(endpoint);
        transport.Timeout = TimeSpan.FromMilliseconds(300);
        await using var client = new RpcClient(new JsonRpcProtocol(), transport);
        await Assert.ThrowsAsync<RpcTransportException>(() => client.CallAsync<int>("subtract", 2, 1));

        await using var server = new RunningServer(ZmqServerTransport.Create(endpoint));
        transport.Timeout = Limit;
        Assert.Equal(1, await client.CallAsync<int>("subtract", 2, 1));
    }

    [Fact]
    public async Task Req_client_from_a_socket_without_factory_fails_clearly_after_a_timeout()
    {
        await using var server = new RunningServer();
        var req = new RequestSocket();
        req.Connect(server.Endpoint);
        using var transport = new ZmqClientTransport(req) { Timeout = TimeSpan.FromMilliseconds(200) };
        await using var client = new RpcClient(new JsonRpcProtocol(), transport);

        var first = await Assert.ThrowsAsync<RpcTransportException>(() => client.CallAsync<int>("sleep", 2000));
        Assert.Contains("the socket was closed", first.Message, StringComparison.Ordinal);
        var next = await Assert.ThrowsAsync<RpcTransportException>(() => client.CallAsync<int>("subtract", 1, 1));
        Assert.Contains("no socket factory", next.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelling_a_req_exchange_recreates_the_socket()
    {
        await using var server = new RunningServer();
        using var transport = ZmqClientTransport.Create(server.Endpoint);
        await using var client = new RpcClient(new JsonRpcProtocol(), transport) { Timeout = TimeSpan.FromMilliseconds(300) };

        await Assert.ThrowsAsync<TimeoutException>(() => client.CallAsync<int>("sleep", 3000));
        Assert.Equal(1, transport.SocketsRecreated);
        client.Timeout = Limit;
        Assert.Equal(3, await client.CallAsync<int>("subtract", 4, 1));
    }

    [Fact]
    public async Task Dealer_client_keeps_many_calls_outstanding()
    {
        await using var server = new RunningServer(options: new RpcServerOptions { MaxConcurrency = 256 });
        await using var client = new RpcClient(new JsonRpcProtocol(), ZmqDealerClientTransport.Create(server.Endpoint));

        // Later calls sleep less, so replies come back out of order and must be matched by id.
        Task<int>[] sleepers = Enumerable.Range(0, 100).Select(i => client.CallAsync<int>("sleep", 200 - (2 * i))).ToArray();
        Task<int>[] calls = Enumerable.Range(0, 2000).Select(i => client.CallAsync<int>("subtract", i, 1)).ToArray();
        Assert.Equal(Enumerable.Range(-1, 2000), await Task.WhenAll(calls));
        Assert.Equal(Enumerable.Range(0, 100).Select(i => 200 - (2 * i)), await Task.WhenAll(sleepers));
        Assert.Equal(0, client.PendingCalls);

        // Notifications are answered with empty frames, which the transport skips.
        for (int i = 0; i < 10; i++)
        {
            await client.NotifyAsync("subtract", [1, 2]);
        }

        Assert.Equal("zyx", await client.CallAsync<string>("reverse_string", "xyz"));
    }

    [Fact]
    public async Task Dealer_client_holds_calls_past_the_high_water_mark_until_the_server_starts()
    {
        string endpoint = FreeEndpoint();

        await using var client = new RpcClient(new JsonRpcProtocol(), ZmqDealerClientTransport.Create(endpoint));
        Task<int>[] calls = Enumerable.Range(0, 3000).Select(i => client.CallAsync<int>("subtract", i, 1)).ToArray();
        await Task.Delay(200, TestContext.Current.CancellationToken);
        await using var server = new RunningServer(ZmqServerTransport.Create(endpoint));
        Assert.Equal(Enumerable.Range(-1, 3000), await Task.WhenAll(calls));
    }

    [Fact]
    public async Task Server_with_a_full_backlog_stops_reading_and_catches_up()
    {
        await using var server = new RunningServer(ZmqServerTransport.Create("tcp://127.0.0.1:*", backlog: 2), new RpcServerOptions { MaxConcurrency = 2 });
        await using var dealerClient = new RpcClient(new JsonRpcProtocol(), ZmqDealerClientTransport.Create(server.Endpoint));
        await using var reqClient = new RpcClient(new JsonRpcProtocol(), ZmqClientTransport.Create(server.Endpoint));

        Task<int[]> many = Task.WhenAll(Enumerable.Range(0, 1000).Select(i => dealerClient.CallAsync<int>("subtract", i, 1)));
        Task<int[]> slow = Task.WhenAll(Enumerable.Range(0, 20).Select(i => dealerClient.CallAsync<int>("sleep", i % 3)));
        for (int i = 0; i < 20; i++)
        {
            Assert.Equal(i, await reqClient.CallAsync<int>("subtract", i + 1, 1));
        }

        Assert.Equal(Enumerable.Range(-1, 1000), await many);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => i % 3), await slow);
    }

    [Fact]
    public async Task Dealer_calls_time_out_in_the_client_without_wedging()
    {
        await using var server = new RunningServer();
        await using var client = new RpcClient(new JsonRpcProtocol(), ZmqDealerClientTransport.Create(server.Endpoint)) { Timeout = TimeSpan.FromMilliseconds(300) };
        await Assert.ThrowsAsync<TimeoutException>(() => client.CallAsync<int>("sleep", 2000));
        client.Timeout = Limit;
        Assert.Equal(0, await client.CallAsync<int>("subtract", 1, 1));
    }

    [Fact]
    public async Task Dealer_transport_works_without_id_matching()
    {
        await using var server = new RunningServer();
        await using var transport = new ChannelClientTransport(ZmqDealerClientTransport.Create(server.Endpoint));
        using var timeout = new CancellationTokenSource(Limit);
        ReadOnlyMemory<byte> reply = await transport.SendMessageAsync(
            Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","method":"subtract","params":[5,2],"id":1}"""), cancellationToken: timeout.Token);
        Assert.Equal("""{"jsonrpc":"2.0","id":1,"result":3}""", Encoding.UTF8.GetString(reply.Span));
    }

    [Fact]
    public async Task Server_answers_garbage_with_errors_and_keeps_serving()
    {
        await using var server = new RunningServer();
        using var dealer = new DealerSocket();
        dealer.Options.Linger = TimeSpan.Zero;
        dealer.Connect(server.Endpoint);

        // With the REQ-style empty delimiter, and without one: the envelope goes back as it came.
        Assert.Equal(RpcErrorCodes.ParseError, ErrorCode(Exchange(dealer, [[], "not json"u8.ToArray()])));
        Assert.Equal(RpcErrorCodes.ParseError, ErrorCode(Exchange(dealer, ["{\"jsonrpc\":"u8.ToArray()])));
        Assert.Equal(RpcErrorCodes.ParseError, ErrorCode(Exchange(dealer, [[], []])));
        Assert.Equal(RpcErrorCodes.ParseError, ErrorCode(Exchange(dealer, [[], [0xff, 0xfe, 0x00, 0x81]])));
        Assert.Equal(RpcErrorCodes.InvalidRequest, ErrorCode(Exchange(dealer, [[], "[]"u8.ToArray()])));
        Assert.Equal(RpcErrorCodes.InvalidRequest, ErrorCode(Exchange(dealer, [[], "{\"id\":1}"u8.ToArray()])));
        // Extra envelope frames are echoed back; only the last frame is the message.
        List<byte[]> multi = Exchange(dealer, ["a"u8.ToArray(), "b"u8.ToArray(), [], """{"jsonrpc":"2.0","method":"subtract","params":[3,1],"id":9}"""u8.ToArray()]);
        Assert.Equal(4, multi.Count);
        Assert.Equal("a"u8.ToArray(), multi[0]);
        Assert.Equal("""{"jsonrpc":"2.0","id":9,"result":2}""", Encoding.UTF8.GetString(multi[3]));

        // A big random message.
        byte[] noise = new byte[256 * 1024];
        new Random(8).NextBytes(noise);
        Assert.Equal(RpcErrorCodes.ParseError, ErrorCode(Exchange(dealer, [[], noise])));

        await using var client = new RpcClient(new JsonRpcProtocol(), ZmqClientTransport.Create(server.Endpoint));
        Assert.Equal("olleh", await client.CallAsync<string>("reverse_string", "hello"));
    }

    [Fact]
    public async Task Disposing_ends_the_server_and_fails_replies_clearly()
    {
        var transport = ZmqServerTransport.Create("tcp://127.0.0.1:*");
        var server = new RpcServer(transport, new JsonRpcProtocol(), TestService.CreateDispatcher());
        Task serving = server.ServeForeverAsync(TestContext.Current.CancellationToken);
        transport.Dispose();
        await serving.WaitAsync(Limit);
        Assert.Null(await transport.ReceiveMessageAsync(TestContext.Current.CancellationToken));
        transport.Dispose();

        var client = ZmqClientTransport.Create("tcp://127.0.0.1:1");
        client.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await client.SendMessageAsync("x"u8.ToArray(), cancellationToken: TestContext.Current.CancellationToken));

        var dealer = ZmqDealerClientTransport.Create("tcp://127.0.0.1:1");
        dealer.Dispose();
        Assert.Null(await dealer.ReceiveAsync(TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<RpcTransportException>(async () => await dealer.SendAsync("x"u8.ToArray(), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Disposing_a_client_fails_its_waiting_calls_promptly()
    {
        // Nobody listens: the calls would wait for their whole timeout.
        var req = ZmqClientTransport.Create(FreeEndpoint());
        Task<ReadOnlyMemory<byte>> waiting = req.SendMessageAsync("x"u8.ToArray(), cancellationToken: TestContext.Current.CancellationToken).AsTask();
        await Task.Delay(100, TestContext.Current.CancellationToken);
        req.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => waiting.WaitAsync(Limit, TestContext.Current.CancellationToken));

        var dealer = ZmqDealerClientTransport.Create(FreeEndpoint());
        var client = new RpcClient(new JsonRpcProtocol(), dealer);
        Task<int> call = client.CallAsync<int>("subtract", 2, 1);
        await Task.Delay(100, TestContext.Current.CancellationToken);
        dealer.Dispose();
        var error = await Assert.ThrowsAsync<RpcTransportException>(() => call.WaitAsync(Limit, TestContext.Current.CancellationToken));
        Assert.Contains("closed", error.Message, StringComparison.Ordinal);
        await client.DisposeAsync();
    }

    [Fact]
    public void Bad_endpoints_give_clear_errors()
    {
        var bind = Assert.Throws<RpcTransportException>(() => ZmqServerTransport.Create("nonsense://here"));
        Assert.Contains("nonsense://here", bind.Message, StringComparison.Ordinal);
        Assert.Throws<RpcTransportException>(() => ZmqClientTransport.Create("tcp://"));
        Assert.Throws<RpcTransportException>(() => ZmqDealerClientTransport.Create("nonsense://here"));

        using var taken = ZmqServerTransport.Create("tcp://127.0.0.1:*");
        var busy = Assert.Throws<RpcTransportException>(() => ZmqServerTransport.Create(taken.Endpoint!));
        Assert.Contains(taken.Endpoint!, busy.Message, StringComparison.Ordinal);
    }

    /// <summary>An endpoint on a loopback port that was free a moment ago.</summary>
    [Fact]
    public async Task Req_client_fails_a_call_whose_reply_has_another_id()
    {
        using var peer = new ResponseSocket();
        string endpoint = "tcp://127.0.0.1:" + peer.BindRandomPort("tcp://127.0.0.1");

        // A REP peer that answers the first request with another id and the second correctly.
        Task answering = Task.Factory.StartNew(() =>
        {
            for (int i = 0; i < 2; i++)
            {
                if (!peer.TryReceiveFrameBytes(Limit, out byte[]? request))
                {
                    throw new TimeoutException("No request came.");
                }

                string id = JsonDocument.Parse(request).RootElement.GetProperty("id").GetRawText();
                peer.SendFrame(i == 0
                    ? """{"jsonrpc": "2.0", "result": 99, "id": "someone else's"}"""
                    : $$"""{"jsonrpc": "2.0", "result": 7, "id": {{id}}}""");
            }
        }, TestContext.Current.CancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        await using var client = new RpcClient(new JsonRpcProtocol(), ZmqClientTransport.Create(endpoint)) { Timeout = Limit };
        UnexpectedIdException e = await Assert.ThrowsAsync<UnexpectedIdException>(() => client.CallAsync<int>("subtract", 10, 3));
        Assert.Equal(RpcId.FromString("someone else's"), e.ReplyId);
        Assert.Equal(RpcErrorCodes.BadReply, e.Code);

        // The exchange was complete: the socket goes on with the next call.
        Assert.Equal(7, await client.CallAsync<int>("subtract", 10, 3));
        await answering.WaitAsync(Limit, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Dealer_client_fails_the_waiting_calls_on_an_error_with_null_id()
    {
        using var peer = new RouterSocket();
        string endpoint = "tcp://127.0.0.1:" + peer.BindRandomPort("tcp://127.0.0.1");

        // A ROUTER peer that reads two requests and answers with one error it cannot attribute, as a server does for
        // a message it cannot parse.
        Task answering = Task.Factory.StartNew(() =>
        {
            List<byte[]> frames = [];
            for (int i = 0; i < 2; i++)
            {
                if (!peer.TryReceiveMultipartBytes(Limit, ref frames))
                {
                    throw new TimeoutException("No request came.");
                }
            }

            peer.SendMoreFrame(frames[0]).SendMoreFrameEmpty()
                .SendFrame("""{"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}""");
        }, TestContext.Current.CancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        await using var client = new RpcClient(new JsonRpcProtocol(), ZmqDealerClientTransport.Create(endpoint)) { Timeout = Timeout.InfiniteTimeSpan };
        Task<int> first = client.CallAsync<int>("subtract", 10, 3);
        Task<int> second = client.CallAsync<int>("subtract", 10, 4);
        await answering.WaitAsync(Limit, TestContext.Current.CancellationToken);

        foreach (Task<int> call in new[] { first, second })
        {
            JsonRpcException e = await Assert.ThrowsAsync<JsonRpcException>(() => call.WaitAsync(Limit, TestContext.Current.CancellationToken));
            Assert.Equal(RpcErrorCodes.InvalidRequest, e.Code);
        }
    }

    private static string FreeEndpoint()
    {
        using var probe = new RouterSocket();
        string endpoint = "tcp://127.0.0.1:" + probe.BindRandomPort("tcp://127.0.0.1");
        probe.Unbind(probe.Options.LastEndpoint!);
        return endpoint;
    }

    private static List<byte[]> Exchange(DealerSocket dealer, byte[][] frames)
    {
        var message = new NetMQMessage();
        foreach (byte[] frame in frames)
        {
            message.Append(frame);
        }

        Assert.True(dealer.TrySendMultipartMessage(Limit, message));
        var reply = new List<byte[]>();
        Assert.True(dealer.TryReceiveMultipartBytes(Limit, ref reply), "No reply to a garbage message.");
        return reply;
    }

    private static int ErrorCode(List<byte[]> reply)
    {
        using var json = JsonDocument.Parse(reply[^1]);
        return json.RootElement.GetProperty("error").GetProperty("code").GetInt32();
    }
}
