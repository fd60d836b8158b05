using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Server;
using TinyRpc.Tests.Streaming;
using TinyRpc.Transports;

namespace TinyRpc.Integration.Tests;

/// <summary>
/// Streams (<see cref="IAsyncEnumerable{T}"/> results) and progress reports (<see cref="IProgress{T}"/> arguments)
/// between a TinyRpc client and server, through generated proxies and dispatch tables: over real TCP sockets and named
/// pipes on this machine, and in memory.
/// </summary>
public class StreamingTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    public static TheoryData<string> Transports => ["tcp", "pipe", "inmemory"];

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_stream_returns_every_value_in_order(string kind)
    {
        var service = new StreamingService();
        await using Served served = Serve(kind, service);
        await using RpcConnection client = await served.ConnectAsync();

        var values = new List<int>();
        await foreach (int value in client.GetProxy<IStreamingService>().CountAsync(25).WithCancellation(TestContext.Current.CancellationToken))
        {
            values.Add(value);
        }

        Assert.Equal(Enumerable.Range(0, 25), values);
        await service.Disposed.WaitAsync(Limit); // the producer that finished is disposed
    }

    [Fact]
    public async Task A_plain_client_over_tcp_reads_a_stream()
    {
        // Asking for values is request and reply: a client that serves nothing of its own reads streams too.
        var service = new StreamingService();
        await using Served served = Serve("tcp", service);
        await using RpcConnection first = await served.ConnectAsync();
        var transport = (TcpServerTransport)served.Transport;
        await using var client = new RpcClient(new JsonRpcProtocol(), await StreamClientTransport.ConnectTcpAsync("127.0.0.1", transport.LocalEndPoint.Port));

        var values = new List<int>();
        await foreach (int value in client.GetProxy<IStreamingService>().CountAsync(5))
        {
            values.Add(value);
        }

        Assert.Equal([0, 1, 2, 3, 4], values);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_server_reads_a_stream_its_client_produces(string kind)
    {
        // The other way round: the client's connection produces, the server's side of it consumes.
        await using Served served = Serve(kind, new StreamingService());
        var produced = new StreamingService();
        var callbacks = new RpcDispatcher();
        callbacks.RegisterInstance(produced);
        await using RpcConnection client = await served.ConnectAsync(callbacks);
        await client.GetProxy<IStreamingService>().ProducedAsync().WaitAsync(Limit); // the server now knows the client
        IStreamingService back = served.OnlyClient().GetProxy<IStreamingService>();

        var values = new List<int>();
        await foreach (int value in back.CountAsync(4))
        {
            values.Add(value);
        }

        Assert.Equal([0, 1, 2, 3], values);
        await using (IAsyncEnumerator<int> endless = back.EndlessAsync().GetAsyncEnumerator())
        {
            Assert.True(await endless.MoveNextAsync().AsTask().WaitAsync(Limit));
            Assert.Equal(1, client.OpenStreams);
        }

        await produced.Cancelled.WaitAsync(Limit); // the endless stream was stopped (the finished one was not cancelled)
        Assert.Equal(0, client.OpenStreams);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task The_producer_is_not_ahead_of_the_consumer(string kind)
    {
        // Back-pressure: the producer runs only when the consumer asks, one value per answer.
        var service = new StreamingService();
        await using Served served = Serve(kind, service);
        await using RpcConnection client = await served.ConnectAsync();
        IStreamingService proxy = client.GetProxy<IStreamingService>();

        await using IAsyncEnumerator<int> values = proxy.EndlessAsync().GetAsyncEnumerator();
        for (int taken = 1; taken <= 20; taken++)
        {
            Assert.True(await values.MoveNextAsync().AsTask().WaitAsync(Limit));
            Assert.Equal(taken - 1, values.Current);

            // Asked on the same connection after the value arrived: the producer has produced exactly what was taken.
            Assert.Equal(taken, await proxy.ProducedAsync().WaitAsync(Limit));
        }
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Disposing_the_stream_early_stops_the_producer(string kind)
    {
        var service = new StreamingService();
        await using Served served = Serve(kind, service);
        await using RpcConnection client = await served.ConnectAsync();

        await using (IAsyncEnumerator<int> values = client.GetProxy<IStreamingService>().EndlessAsync().GetAsyncEnumerator())
        {
            Assert.True(await values.MoveNextAsync().AsTask().WaitAsync(Limit));
            Assert.True(await values.MoveNextAsync().AsTask().WaitAsync(Limit));
        }

        await service.Cancelled.WaitAsync(Limit);
        await service.Disposed.WaitAsync(Limit);
        Assert.Equal(0, served.OpenStreams());
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Cancelling_the_consumer_while_it_waits_stops_the_producer(string kind)
    {
        var service = new StreamingService();
        await using Served served = Serve(kind, service);
        await using RpcConnection client = await served.ConnectAsync();
        using var cancel = new CancellationTokenSource();

        IAsyncEnumerator<string> values = client.GetProxy<IStreamingService>().StallAsync(2).GetAsyncEnumerator(cancel.Token);
        Assert.True(await values.MoveNextAsync().AsTask().WaitAsync(Limit));
        Assert.True(await values.MoveNextAsync().AsTask().WaitAsync(Limit));
        Task<bool> waiting = values.MoveNextAsync().AsTask();
        await service.Stalled.WaitAsync(Limit);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Limit));
        await values.DisposeAsync();
        await service.Cancelled.WaitAsync(Limit);
        await service.Disposed.WaitAsync(Limit);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_cancelled_token_of_the_proxy_call_stops_the_producer(string kind)
    {
        var service = new StreamingService();
        await using Served served = Serve(kind, service);
        await using RpcConnection client = await served.ConnectAsync();
        using var cancel = new CancellationTokenSource();

        var taken = new List<int>();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (int value in client.GetProxy<IStreamingService>().EndlessAsync(cancel.Token))
            {
                taken.Add(value);
                if (taken.Count == 3)
                {
                    await cancel.CancelAsync();
                }
            }
        });

        Assert.Equal([0, 1, 2], taken);
        await service.Cancelled.WaitAsync(Limit);
        await service.Disposed.WaitAsync(Limit);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_dropped_connection_fails_the_consumer_and_disposes_the_producer(string kind)
    {
        var service = new StreamingService();
        Served served = Serve(kind, service);
        await using RpcConnection client = await served.ConnectAsync();

        await using IAsyncEnumerator<string> values = client.GetProxy<IStreamingService>().StallAsync(1).GetAsyncEnumerator();
        Assert.True(await values.MoveNextAsync().AsTask().WaitAsync(Limit));
        Task<bool> waiting = values.MoveNextAsync().AsTask();
        await service.Stalled.WaitAsync(Limit);

        await served.DisposeAsync(); // the server stops: its connections end

        // The stopping server cancels the next it was serving, and may get its "cancelled" answer out before the
        // connection closes; otherwise the consumer learns that the connection ended.
        RpcException error = await Assert.ThrowsAnyAsync<RpcException>(() => waiting.WaitAsync(Limit));
        Assert.True(error is RpcTransportException || error.Code == RpcErrorCodes.RequestCancelled, error.ToString());
        if (error is RpcTransportException)
        {
            Assert.Contains("connection ended while the stream was being read", error.Message, StringComparison.Ordinal);
        }
        await service.Cancelled.WaitAsync(Limit);
        await service.Disposed.WaitAsync(Limit);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_client_that_goes_away_disposes_the_streams_it_was_reading(string kind)
    {
        // StreamJsonRpc #999 and #1174: a stream must not outlive its connection.
        var service = new StreamingService();
        await using Served served = Serve(kind, service);
        RpcConnection client = await served.ConnectAsync();

        IAsyncEnumerator<int> values = client.GetProxy<IStreamingService>().EndlessAsync().GetAsyncEnumerator();
        Assert.True(await values.MoveNextAsync().AsTask().WaitAsync(Limit));
        Assert.Equal(1, served.OpenStreams());
        await client.DisposeAsync();

        await service.Cancelled.WaitAsync(Limit);
        await service.Disposed.WaitAsync(Limit);
        await Assert.ThrowsAsync<RpcTransportException>(() => values.MoveNextAsync().AsTask().WaitAsync(Limit));
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_stream_can_be_enumerated_once(string kind)
    {
        await using Served served = Serve(kind, new StreamingService());
        await using RpcConnection client = await served.ConnectAsync();
        IAsyncEnumerable<int> stream = client.GetProxy<IStreamingService>().CountAsync(1);

        await using IAsyncEnumerator<int> first = stream.GetAsyncEnumerator();
        Assert.Throws<InvalidOperationException>(() => stream.GetAsyncEnumerator());
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Progress_reports_arrive_in_order_and_all_before_the_call_completes(string kind)
    {
        await using Served served = Serve(kind, new StreamingService());
        await using RpcConnection client = await served.ConnectAsync();
        var progress = new RecordingProgress<int>();

        int result = await client.GetProxy<IStreamingService>().WorkAsync(200, progress).WaitAsync(Limit);

        Assert.Equal(200, result);
        Assert.Equal(Enumerable.Range(1, 200), progress.Reports); // read as the call completes: nothing is missing
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_call_without_progress_sends_a_null_token_and_works(string kind)
    {
        await using Served served = Serve(kind, new StreamingService());
        await using RpcConnection client = await served.ConnectAsync();

        Assert.Equal(3, await client.GetProxy<IStreamingService>().WorkAsync(3, null!).WaitAsync(Limit));
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task An_unknown_stream_token_is_answered_with_minus_32001(string kind)
    {
        await using Served served = Serve(kind, new StreamingService());
        await using RpcConnection client = await served.ConnectAsync();

        RpcException next = await Assert.ThrowsAnyAsync<RpcException>(() => client.CallAsync<object>(RpcProtocol.EnumeratorNextMethod, 4242L).WaitAsync(Limit));
        Assert.Equal(RpcErrorCodes.RemoteObjectNotFound, next.Code);
        Assert.Equal("This remote object no longer exists.", next.Message);

        RpcException named = await Assert.ThrowsAnyAsync<RpcException>(() => client.CallAsync<object>(RpcProtocol.EnumeratorNextMethod, null,
            new Dictionary<string, object?> { ["token"] = 4242L }).WaitAsync(Limit));
        Assert.Equal(-32001, named.Code);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_finished_stream_token_is_answered_with_minus_32001(string kind)
    {
        var service = new StreamingService();
        await using Served served = Serve(kind, service);
        await using RpcConnection client = await served.ConnectAsync();

        // The first stream of the connection has token 1; once it has ended, asking for more names nothing.
        await foreach (int _ in client.GetProxy<IStreamingService>().CountAsync(2))
        {
        }

        RpcException error = await Assert.ThrowsAnyAsync<RpcException>(() => client.CallAsync<object>(RpcProtocol.EnumeratorNextMethod, 1L).WaitAsync(Limit));
        Assert.Equal(-32001, error.Code);
        Assert.Equal(0, served.OpenStreams());
    }

    [Fact]
    public async Task Progress_reports_after_the_reply_are_dropped_and_named_reports_are_read()
    {
        // The server end is written by hand over a real TCP socket, to send reports by name and after the reply.
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var marker = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var callbacks = new RpcDispatcher();
        callbacks.AddMethod("marker", (request, _) =>
        {
            marker.TrySetResult();
            return new ValueTask<RpcResponse?>((RpcResponse?)null);
        });
        var protocol = new JsonRpcProtocol();
        Task<RpcConnection> connecting = Task.Run(async () => new RpcConnection(protocol,
            await StreamClientTransport.ConnectTcpAsync("127.0.0.1", ((System.Net.IPEndPoint)listener.LocalEndpoint).Port), callbacks));
        using System.Net.Sockets.TcpClient accepted = await listener.AcceptTcpClientAsync(TestContext.Current.CancellationToken);
        await using var server = new StreamClientTransport(accepted.GetStream());
        await using RpcConnection client = await connecting.WaitAsync(Limit);
        var progress = new RecordingProgress<int>();

        Task<int> call = client.GetProxy<IStreamingService>().WorkAsync(2, progress);
        var request = (RpcRequest)protocol.ParseRequest((await server.ReceiveAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Limit))!.Value);
        Assert.True(request.Arguments.TryGet(1, "progress", out long token));
        string id = request.Id.ToString();

        await server.SendAsync(System.Text.Encoding.UTF8.GetBytes($$"""{"jsonrpc":"2.0","method":"$/progress","params":[{{token}},1]}"""), TestContext.Current.CancellationToken);
        await server.SendAsync(System.Text.Encoding.UTF8.GetBytes($$$"""{"jsonrpc":"2.0","method":"$/progress","params":{"token":{{{token}}},"value":2}}"""), TestContext.Current.CancellationToken);
        await server.SendAsync(System.Text.Encoding.UTF8.GetBytes($$"""{"jsonrpc":"2.0","id":{{id}},"result":2}"""), TestContext.Current.CancellationToken);
        await server.SendAsync(System.Text.Encoding.UTF8.GetBytes($$"""{"jsonrpc":"2.0","method":"$/progress","params":[{{token}},99]}"""), TestContext.Current.CancellationToken);
        await server.SendAsync(System.Text.Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","method":"marker"}"""), TestContext.Current.CancellationToken);

        Assert.Equal(2, await call.WaitAsync(Limit));
        Assert.Equal([1, 2], progress.Reports);

        // Notifications start in order: once the marker has run, the late report has been handled, and dropped.
        await marker.Task.WaitAsync(Limit);
        Assert.Equal([1, 2], progress.Reports);
    }

    [Fact]
    public async Task A_connection_that_drops_fails_the_waiting_consumer_with_a_clear_exception()
    {
        // The producer's end is written by hand over a real TCP socket, and closes it while a next is waiting.
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var protocol = new JsonRpcProtocol();
        Task<RpcConnection> connecting = Task.Run(async () => new RpcConnection(protocol,
            await StreamClientTransport.ConnectTcpAsync("127.0.0.1", ((System.Net.IPEndPoint)listener.LocalEndpoint).Port)));
        System.Net.Sockets.TcpClient accepted = await listener.AcceptTcpClientAsync(TestContext.Current.CancellationToken);
        var server = new StreamClientTransport(accepted.GetStream());
        await using RpcConnection client = await connecting.WaitAsync(Limit);

        await using IAsyncEnumerator<int> values = client.GetProxy<IStreamingService>().EndlessAsync().GetAsyncEnumerator();
        Task<bool> first = values.MoveNextAsync().AsTask();
        var call = (RpcRequest)protocol.ParseRequest((await server.ReceiveAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Limit))!.Value);
        await server.SendAsync(System.Text.Encoding.UTF8.GetBytes($$$"""{"jsonrpc":"2.0","id":{{{call.Id}}},"result":{"token":5,"values":[10]}}"""), TestContext.Current.CancellationToken);
        Assert.True(await first.WaitAsync(Limit));
        Assert.Equal(10, values.Current);

        Task<bool> waiting = values.MoveNextAsync().AsTask();
        var next = (RpcRequest)protocol.ParseRequest((await server.ReceiveAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Limit))!.Value);
        Assert.Equal(RpcProtocol.EnumeratorNextMethod, next.Method);
        Assert.True(next.Arguments.TryGet(0, "token", out long token));
        Assert.Equal(5, token);
        await server.DisposeAsync();
        accepted.Dispose();

        RpcTransportException error = await Assert.ThrowsAsync<RpcTransportException>(() => waiting.WaitAsync(Limit));
        Assert.Contains("connection ended while the stream was being read", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_consumer_whose_socket_drops_has_its_producer_disposed()
    {
        var service = new StreamingService();
        await using Served served = Serve("tcp", service);
        RpcConnection client = await served.ConnectAsync();
        var protocol = new JsonRpcProtocol();
        var transport = (TcpServerTransport)served.Transport;

        // By hand over a socket: the call, one next, then the socket closes with the stream open.
        var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(System.Net.IPAddress.Loopback, transport.LocalEndPoint.Port, TestContext.Current.CancellationToken);
        var raw = new StreamClientTransport(tcp.GetStream());
        await raw.SendAsync(protocol.CreateRequestBuilder("endless").Build().Serialize(), TestContext.Current.CancellationToken);
        var started = (RpcResponse)protocol.ParseReply((await raw.ReceiveAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Limit))!.Value);
        long token = started.GetResult<RpcStreamPage>().Token!.Value;
        await raw.SendAsync(protocol.CreateRequestBuilder(RpcProtocol.EnumeratorNextMethod).Add(token).Build().Serialize(), TestContext.Current.CancellationToken);
        var page = (RpcResponse)protocol.ParseReply((await raw.ReceiveAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Limit))!.Value);
        Assert.Equal(0, protocol.DecodeValue<int>(Assert.Single(page.GetResult<RpcStreamPage>().Values!)));

        await raw.DisposeAsync();
        tcp.Dispose();

        await service.Cancelled.WaitAsync(Limit);
        await service.Disposed.WaitAsync(Limit);
        await client.DisposeAsync();
    }

    [Fact]
    public async Task A_report_made_after_the_method_returned_is_not_sent()
    {
        var service = new StreamingService();
        await using Served served = Serve("tcp", service);
        await using RpcConnection first = await served.ConnectAsync();
        var protocol = new JsonRpcProtocol();
        var transport = (TcpServerTransport)served.Transport;
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(System.Net.IPAddress.Loopback, transport.LocalEndPoint.Port, TestContext.Current.CancellationToken);
        await using var raw = new StreamClientTransport(tcp.GetStream());

        await raw.SendAsync(System.Text.Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","id":1,"method":"remember","params":{"progress":7}}"""), TestContext.Current.CancellationToken);
        var report = (RpcRequest)protocol.ParseRequest((await raw.ReceiveAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Limit))!.Value);
        Assert.Equal(RpcProtocol.ProgressMethod, report.Method);
        Assert.True(report.Arguments.TryGet(0, "token", out long token));
        Assert.Equal(7, token);
        var reply = (RpcResponse)protocol.ParseReply((await raw.ReceiveAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Limit))!.Value);
        Assert.Equal(1, reply.GetResult<int>());

        service.Remembered!.Report(2); // after the reply: dropped, not sent

        // The next message on the connection is the reply to the next request, not a late report.
        await raw.SendAsync(System.Text.Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","id":2,"method":"produced"}"""), TestContext.Current.CancellationToken);
        var next = (RpcResponse)protocol.ParseReply((await raw.ReceiveAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Limit))!.Value);
        Assert.Equal(RpcId.FromNumber(2), next.Id);
    }

    private static Served Serve(string kind, StreamingService service)
    {
        var protocol = new JsonRpcProtocol();
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterInstance(service);
        switch (kind)
        {
            case "tcp":
            {
                var transport = TcpServerTransport.Loopback();
                var server = new RpcServer(transport, protocol, dispatcher);
                int port = transport.LocalEndPoint.Port;
                return new Served(server, transport, async callbacks => new RpcConnection(protocol, await StreamClientTransport.ConnectTcpAsync("127.0.0.1", port), callbacks));
            }

            case "pipe":
            {
                string name = "tinyrpc-stream-" + Guid.NewGuid().ToString("N");
                var transport = new NamedPipeServerTransport(name);
                var server = new RpcServer(transport, protocol, dispatcher);
                return new Served(server, transport, async callbacks => new RpcConnection(protocol, await StreamClientTransport.ConnectNamedPipeAsync(name), callbacks));
            }

            default:
            {
                (InMemoryClientTransport channel, InMemoryServerTransport transport) = InMemoryTransport.CreatePair();
                var server = new RpcServer(transport, protocol, dispatcher);
                return new Served(server, transport, callbacks => Task.FromResult(new RpcConnection(protocol, channel, callbacks)));
            }
        }
    }

    /// <summary>A server serving until disposed, and a way to connect to it.</summary>
    private sealed class Served(RpcServer server, object transport, Func<IRpcDispatcher?, Task<RpcConnection>> connect) : IAsyncDisposable
    {
        public object Transport => transport;

        private readonly CancellationTokenSource _stop = new();
        private Task? _serving;
        private bool _disposed;

        public async Task<RpcConnection> ConnectAsync(IRpcDispatcher? callbacks = null)
        {
            _serving ??= server.ServeForeverAsync(_stop.Token);
            return await connect(callbacks);
        }

        public RpcConnection OnlyClient() => Assert.Single(server.Connections);

        /// <summary>The streams the server's connections produce now (through the one client, once it has called).</summary>
        public int OpenStreams() => server.Connections.Sum(static c => c.OpenStreams);

        public async ValueTask DisposeAsync()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            await _stop.CancelAsync();
            switch (transport)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync();
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }

            if (_serving is not null)
            {
                await _serving.WaitAsync(Limit);
            }

            _stop.Dispose();
        }
    }
}
