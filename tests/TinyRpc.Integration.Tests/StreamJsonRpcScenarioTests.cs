using System.Net;
using System.Net.Sockets;
using System.Text.Json.Serialization;
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
/// The scenarios of StreamJsonRpc's bug reports about cancellation, methods left running, stream lifetimes and replies
/// that cannot be sent, each played against TinyRpc over real TCP sockets on this machine (docs/cancellation.md lists
/// which test covers which report; some live in CancellationTests and StreamingTests).
/// </summary>
public class StreamJsonRpcScenarioTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    // StreamJsonRpc #56: a cancel that comes right after its request is lost when it is handled first. Here the
    // request holds the server's only slot (MaxConcurrency 1) when its cancel comes: the cancel must not wait for a slot.
    [Fact]
    public async Task StreamJsonRpc_56_a_cancel_reaches_a_method_that_holds_the_servers_only_slot()
    {
        var method = new WaitingMethod();
        await using Served served = Serve(method.Dispatcher(), new RpcServerOptions { MaxConcurrency = 1 });
        await using RpcConnection client = await served.ConnectAsync();
        using var cancel = new CancellationTokenSource();

        Task<string> call = client.CallAsync<string>("wait", null, null, cancel.Token);
        await method.Started.WaitAsync(Limit);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(Limit));
        Assert.True(await method.Cancelled.WaitAsync(Limit));
    }

    // StreamJsonRpc #64: the caller cancels and closes its connection at once; the cancel may never be read, and the
    // method must still learn that its caller has gone.
    [Fact]
    public async Task StreamJsonRpc_64_a_call_cancelled_as_its_connection_closes_cancels_the_method()
    {
        var method = new WaitingMethod();
        await using Served served = Serve(method.Dispatcher());
        RpcConnection client = await served.ConnectAsync();
        using var cancel = new CancellationTokenSource();

        Task<string> call = client.CallAsync<string>("wait", null, null, cancel.Token);
        await method.Started.WaitAsync(Limit);
        await cancel.CancelAsync();
        await client.DisposeAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(Limit));
        Assert.True(await method.Cancelled.WaitAsync(Limit));
    }

    // StreamJsonRpc #631: a method that keeps sending events to its caller never saw the caller's cancellation. Here
    // the method notifies its caller until its token fires; the caller cancels after the first events.
    [Fact]
    public async Task StreamJsonRpc_631_a_method_sending_events_to_its_caller_sees_the_callers_cancel()
    {
        var stopped = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var dispatcher = new RpcDispatcher();
        dispatcher.AddMethod("send_ticks", async (request, cancellationToken) =>
        {
            RpcConnection caller = RpcConnection.Of(request)!;
            try
            {
                for (int i = 0; ; i++)
                {
                    await caller.NotifyAsync("tick", [i], null, cancellationToken);
                    await Task.Yield();
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }
            catch (OperationCanceledException)
            {
                stopped.TrySetResult(true);
                throw;
            }
        }, []);
        var ticks = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int received = 0;
        var callbacks = new RpcDispatcher();
        callbacks.AddMethod("tick", (request, _) =>
        {
            if (Interlocked.Increment(ref received) == 10)
            {
                ticks.TrySetResult();
            }

            return new(request.Respond());
        }, [new RpcParameter("n", typeof(int))]);
        await using Served served = Serve(dispatcher);
        await using RpcConnection client = await served.ConnectAsync(callbacks);
        using var cancel = new CancellationTokenSource();

        Task call = client.CallAsync<object>("send_ticks", null, null, cancel.Token);
        await ticks.Task.WaitAsync(Limit);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(Limit));
        Assert.True(await stopped.Task.WaitAsync(Limit));
    }

    // StreamJsonRpc #678: a call to a server that is connected but never answers could not be cancelled: the caller
    // waited for the server to acknowledge the cancel. Here the "server" is a bare socket that reads and never writes.
    [Fact]
    public async Task StreamJsonRpc_678_a_cancelled_call_to_a_server_that_never_answers_ends_at_once()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        Task<TcpClient> accepting = listener.AcceptTcpClientAsync(TestContext.Current.CancellationToken).AsTask();
        await using var client = new RpcConnection(new JsonRpcProtocol(), await StreamClientTransport.ConnectTcpAsync("127.0.0.1", port));
        using TcpClient silent = await accepting.WaitAsync(Limit);
        using var cancel = new CancellationTokenSource();

        Task<string> call = client.CallAsync<string>("anything", null, null, cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(Limit));
    }

    // StreamJsonRpc #999: a stream was disposed early when a reply to a call the other way had the same id as the
    // call that returned the stream. Here the client's stream call and the server's call back to the client both
    // have id 1, and the call back is answered while the stream is being read.
    [Fact]
    public async Task StreamJsonRpc_999_a_reply_with_the_id_of_a_stream_call_does_not_end_the_stream()
    {
        var service = new StreamingService();
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterInstance(service);
        var callbacks = new RpcDispatcher();
        callbacks.AddMethod("ping", (request, _) => new(request.Respond("pong")), []);
        await using Served served = Serve(dispatcher);
        await using RpcConnection client = await served.ConnectAsync(callbacks);

        var values = new List<int>();
        await foreach (int value in client.GetProxy<IStreamingService>().CountAsync(6).WithCancellation(TestContext.Current.CancellationToken))
        {
            values.Add(value);
            if (value == 1)
            {
                // The server's first call to this client: id 1, as the stream's call.
                Assert.Equal("pong", await served.OnlyClient().CallAsync<string>("ping").WaitAsync(Limit));
            }
        }

        Assert.Equal([0, 1, 2, 3, 4, 5], values);
    }

    // StreamJsonRpc #253 and #372: a reply the server could not send (its serializer threw, even an exception that
    // looks like the connection going, such as ObjectDisposedException) left the caller waiting for ever. Here the
    // result cannot be serialized: the caller gets an error reply, and the connection goes on.
    [Fact]
    public async Task StreamJsonRpc_253_372_a_result_that_cannot_be_serialized_is_answered_with_an_error()
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.AddMethod("broken", (request, _) => new(request.Respond(new Unserializable())), []);
        dispatcher.AddMethod("ping", (request, _) => new(request.Respond("pong")), []);
        await using Served served = Serve(dispatcher);
        await using RpcConnection client = await served.ConnectAsync();

        RpcException error = await Assert.ThrowsAnyAsync<RpcException>(() => client.CallAsync<object>("broken").WaitAsync(Limit));
        Assert.Equal(RpcErrorCodes.InternalError, error.Code); // the method ran; its result could not be written
        Assert.Equal("pong", await client.CallAsync<string>("ping").WaitAsync(Limit));
    }

    // StreamJsonRpc #253: a reply over the size the transport sends is an error reply, not a silence.
    [Fact]
    public async Task StreamJsonRpc_253_a_reply_over_the_size_limit_is_answered_with_an_error()
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.AddMethod("big", (request, _) => new(request.Respond(new string('x', 64 * 1024))), []);
        dispatcher.AddMethod("ping", (request, _) => new(request.Respond("pong")), []);
        await using Served served = Serve(dispatcher, maxMessageSize: 16 * 1024);
        await using RpcConnection client = await served.ConnectAsync();

        RpcException error = await Assert.ThrowsAnyAsync<RpcException>(() => client.CallAsync<string>("big").WaitAsync(Limit));
        Assert.Contains("too large", error.Message, StringComparison.Ordinal);
        Assert.Equal("pong", await client.CallAsync<string>("ping").WaitAsync(Limit));
    }

    // StreamJsonRpc #253, the other way: the server calls its client back, and the client's reply cannot be sent
    // (over the size its connection frames, or not serializable). The server's call ends with an error, not a hang.
    [Fact]
    public async Task StreamJsonRpc_253_a_call_back_whose_reply_the_client_cannot_send_ends_with_an_error()
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.AddMethod("ping", (request, _) => new(request.Respond("pong")), []);
        var callbacks = new RpcDispatcher();
        callbacks.AddMethod("big", (request, _) => new(request.Respond(new string('x', 64 * 1024))), []);
        callbacks.AddMethod("broken", (request, _) => new(request.Respond(new Unserializable())), []);
        await using Served served = Serve(dispatcher, clientMaxMessageSize: 16 * 1024);
        await using RpcConnection client = await served.ConnectAsync(callbacks);
        Assert.Equal("pong", await client.CallAsync<string>("ping").WaitAsync(Limit));
        RpcConnection toClient = served.OnlyClient();

        RpcException broken = await Assert.ThrowsAnyAsync<RpcException>(() => toClient.CallAsync<object>("broken").WaitAsync(Limit));
        Assert.Equal(RpcErrorCodes.InternalError, broken.Code);
        Exception big = await Assert.ThrowsAnyAsync<Exception>(() => toClient.CallAsync<string>("big").WaitAsync(Limit));
        Assert.IsNotType<TimeoutException>(big);
        Assert.Contains("too large", big.Message, StringComparison.Ordinal);
    }

    private static Served Serve(IRpcDispatcher dispatcher, RpcServerOptions? options = null, int maxMessageSize = FramedConnection.DefaultMaxMessageSize,
        int clientMaxMessageSize = FramedConnection.DefaultMaxMessageSize)
    {
        TcpServerTransport transport = TcpServerTransport.Loopback(maxMessageSize: maxMessageSize);
        return new Served(new RpcServer(transport, new JsonRpcProtocol(), dispatcher, options), transport, clientMaxMessageSize);
    }

    /// <summary>A result whose serialization fails with an exception that looks like a connection going away.</summary>
    private sealed class Unserializable
    {
        [JsonInclude]
        public int Value => throw new ObjectDisposedException("resource");
    }

    /// <summary>A method that waits until cancelled, with signals for when it starts and sees its token fire.</summary>
    private sealed class WaitingMethod
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<bool> _cancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Started => _started.Task;

        public Task<bool> Cancelled => _cancelled.Task;

        public RpcDispatcher Dispatcher()
        {
            var dispatcher = new RpcDispatcher();
            dispatcher.AddMethod("wait", async (request, cancellationToken) =>
            {
                _started.TrySetResult();
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    _cancelled.TrySetResult(true);
                    throw;
                }

                return request.Respond("never");
            }, []);
            return dispatcher;
        }
    }

    private sealed class Served(RpcServer server, TcpServerTransport transport, int clientMaxMessageSize) : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private Task? _serving;

        public async Task<RpcConnection> ConnectAsync(IRpcDispatcher? callbacks = null)
        {
            _serving ??= server.ServeForeverAsync(_stop.Token);
            return new RpcConnection(new JsonRpcProtocol(),
                await StreamClientTransport.ConnectTcpAsync("127.0.0.1", transport.LocalEndPoint.Port, maxMessageSize: clientMaxMessageSize), callbacks);
        }

        public RpcConnection OnlyClient() => Assert.Single(server.Connections);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            if (_serving is not null)
            {
                await _serving.WaitAsync(Limit);
            }

            await transport.DisposeAsync();
            _stop.Dispose();
        }
    }
}
