using NetMQ;
using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Exceptions;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Server;
using TinyRpc.Transports;

namespace TinyRpc.NetMQ.Tests;

/// <summary>A REQ client that opts in (<see cref="ZmqClientTransport.SendsDeadline"/>) sends its timeout with each request.</summary>
public sealed class ZmqDeadlineTests
{
    [Fact]
    public async Task A_request_that_waited_in_a_busy_server_past_its_deadline_is_not_dispatched()
    {
        var methods = new Methods();
        await using var server = new Serving(methods.Dispatcher, new RpcServerOptions { MaxConcurrency = 1 });
        await using var blocking = new RpcClient(new JsonRpcProtocol(), ZmqClientTransport.Create(server.Endpoint)) { Timeout = TestService.Limit };
        Task<int> blocked = blocking.CallAsync<int>("block");
        await methods.BlockEntered.Task.WaitAsync(TestService.Limit);

        // Sent while the server's only slot is taken; it waits there until its caller has given up.
        var transport = ZmqClientTransport.Create(server.Endpoint);
        transport.SendsDeadline = true;
        transport.Timeout = TimeSpan.FromSeconds(1);
        await using var client = new RpcClient(new JsonRpcProtocol(), transport);
        await Assert.ThrowsAsync<RpcTransportException>(() => client.CallAsync<int>("work"));

        methods.Release.SetResult();
        Assert.Equal(1, await blocked.WaitAsync(TestService.Limit));

        // One call at a time, slots in the order asked for: once the probe is answered, "work" was handled before it.
        transport.Timeout = TestService.Limit;
        Assert.Equal(0, await client.CallAsync<int>("probe"));
        Assert.Equal(0, methods.Worked);
    }

    [Fact]
    public async Task A_running_method_is_cancelled_when_its_callers_deadline_passes()
    {
        var methods = new Methods();
        await using var server = new Serving(methods.Dispatcher);
        var transport = ZmqClientTransport.Create(server.Endpoint);
        transport.SendsDeadline = true;
        transport.Timeout = TimeSpan.FromSeconds(1);
        await using var client = new RpcClient(new JsonRpcProtocol(), transport);
        await Assert.ThrowsAsync<RpcTransportException>(() => client.CallAsync<int>("wait"));
        await methods.WaitCancelled.Task.WaitAsync(TestService.Limit);

        // The same socket kind, replaced after the timeout, still gets answers, without the deadline frame in them.
        transport.Timeout = TestService.Limit;
        Assert.Equal(0, await client.CallAsync<int>("probe"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_deadline_frame_is_sent_only_when_asked_for_so_single_frame_peers_are_unaffected(bool sendsDeadline)
    {
        // A bare ROUTER socket stands for a peer that knows nothing of the frame (tinyrpc's Python server reads the same way).
        using var router = new global::NetMQ.Sockets.RouterSocket();
        int port = router.BindRandomPort("tcp://127.0.0.1");
        var transport = ZmqClientTransport.Create($"tcp://127.0.0.1:{port}");
        transport.SendsDeadline = sendsDeadline;
        transport.Timeout = TestService.Limit;
        await using var client = new RpcClient(new JsonRpcProtocol(), transport);
        Task<int> call = client.CallAsync<int>("probe");

        List<byte[]> frames = await Task.Run(() =>
        {
            var received = new List<byte[]>();
            Assert.True(router.TryReceiveMultipartBytes(TestService.Limit, ref received), "Nothing reached the ROUTER socket.");
            return received;
        });

        // Identity, the REQ delimiter, then the body, and only with the option the deadline frame before the body.
        Assert.Equal(sendsDeadline ? 4 : 3, frames.Count);
        Assert.Empty(frames[1]);
        Assert.StartsWith("{", System.Text.Encoding.UTF8.GetString(frames[^1]));
        if (sendsDeadline)
        {
            string deadline = System.Text.Encoding.ASCII.GetString(frames[2]);
            Assert.StartsWith("tinyrpc-deadline:", deadline);
            long at = long.Parse(deadline["tinyrpc-deadline:".Length..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(at, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.Add(TestService.Limit).ToUnixTimeMilliseconds());
        }

        // Answered as a TinyRpc server of before the frame answers: the whole envelope back, then the reply.
        string id = System.Text.Json.JsonDocument.Parse(frames[^1]).RootElement.GetProperty("id").GetRawText();
        var reply = new global::NetMQ.NetMQMessage();
        foreach (byte[] frame in frames.Take(frames.Count - 1))
        {
            reply.Append(frame);
        }

        reply.Append(System.Text.Encoding.UTF8.GetBytes($$"""{"jsonrpc":"2.0","id":{{id}},"result":7}"""));
        router.SendMultipartMessage(reply);
        Assert.Equal(7, await call.WaitAsync(TestService.Limit));
    }

    [Fact]
    public async Task An_empty_frame_for_a_request_with_a_deadline_is_the_server_giving_up_and_fails_the_call_clearly()
    {
        // A TinyRpc server answers a request it gave up on at its deadline with an empty frame; a bare ROUTER socket
        // does the same here, at once, as a server whose clock runs a little ahead would.
        using var router = new global::NetMQ.Sockets.RouterSocket();
        int port = router.BindRandomPort("tcp://127.0.0.1");
        var transport = ZmqClientTransport.Create($"tcp://127.0.0.1:{port}");
        transport.SendsDeadline = true;
        transport.Timeout = TestService.Limit;
        await using var client = new RpcClient(new JsonRpcProtocol(), transport);
        Task<int> call = client.CallAsync<int>("probe");
        List<byte[]> frames = await Task.Run(() =>
        {
            var received = new List<byte[]>();
            Assert.True(router.TryReceiveMultipartBytes(TestService.Limit, ref received), "Nothing reached the ROUTER socket.");
            return received;
        });
        var reply = new NetMQMessage();
        reply.Append(frames[0]);
        reply.Append(frames[1]);
        reply.AppendEmptyFrame();
        router.SendMultipartMessage(reply);

        RpcTransportException error = await Assert.ThrowsAsync<RpcTransportException>(() => call.WaitAsync(TestService.Limit));
        Assert.Contains("deadline", error.Message, StringComparison.Ordinal);
    }

    private sealed class Serving : IAsyncDisposable
    {
        private readonly ZmqServerTransport _transport = ZmqServerTransport.Create("tcp://127.0.0.1:*");
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _serving;

        public Serving(RpcDispatcher dispatcher, RpcServerOptions? options = null)
        {
            // A REQ peer that goes quiet is never forgotten here, so that only the deadline can cancel a method.
            _transport.PeerIdleTimeout = Timeout.InfiniteTimeSpan;
            _serving = new RpcServer(_transport, new JsonRpcProtocol(), dispatcher, options).ServeForeverAsync(_stop.Token);
        }

        public string Endpoint => _transport.Endpoint!;

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _serving.WaitAsync(TestService.Limit);
            _transport.Dispose();
            _stop.Dispose();
        }
    }

    /// <summary>"work" counts, "probe" returns the count, "block" waits until released, "wait" until its token fires.</summary>
    private sealed class Methods
    {
        private int _worked;

        public Methods()
        {
            Dispatcher.AddMethod("work", (request, _) => new(request.Respond(Interlocked.Increment(ref _worked))), []);
            Dispatcher.AddMethod("probe", (request, _) => new(request.Respond(Volatile.Read(ref _worked))), []);
            Dispatcher.AddMethod("block", async (request, cancellationToken) =>
            {
                BlockToken = cancellationToken;
                BlockEntered.TrySetResult();
                await Release.Task;
                return request.Respond(1);
            }, []);
            Dispatcher.AddMethod("wait", async (request, cancellationToken) =>
            {
                try
                {
                    await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    WaitCancelled.TrySetResult();
                    throw;
                }

                return request.Respond(0);
            }, []);
        }

        public RpcDispatcher Dispatcher { get; } = new();

        public int Worked => Volatile.Read(ref _worked);

        public CancellationToken BlockToken { get; private set; }

        public TaskCompletionSource BlockEntered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource WaitCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
