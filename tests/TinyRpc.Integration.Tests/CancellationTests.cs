using System.Text;
using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Server;
using TinyRpc.Transports;

namespace TinyRpc.Integration.Tests;

/// <summary>
/// Cancellation that reaches the server over connections that carry calls both ways: a call the client gives up on
/// (cancelled, timed out) cancels the method on the server through <c>$/cancelRequest</c>; a client that goes away
/// cancels the methods still running for it. Real TCP sockets and named pipes on this machine, and in memory.
/// </summary>
public class CancellationTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    public static TheoryData<string> Transports => ["tcp", "pipe", "inmemory"];

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_cancelled_call_ends_at_once_and_the_method_on_the_server_is_cancelled(string kind)
    {
        var method = new WaitingMethod();
        await using Served served = await ServeAsync(kind, method.Dispatcher());
        await using RpcConnection client = await served.ConnectAsync();
        using var cancel = new CancellationTokenSource();

        Task<string> call = client.CallAsync<string>("wait", null, null, cancel.Token);
        await method.Started.WaitAsync(Limit);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(Limit));
        Assert.True(await method.Cancelled.WaitAsync(Limit));
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_call_that_times_out_cancels_the_method_on_the_server(string kind)
    {
        var method = new WaitingMethod();
        await using Served served = await ServeAsync(kind, method.Dispatcher());
        await using RpcConnection client = await served.ConnectAsync();
        client.Timeout = TimeSpan.FromMilliseconds(200);

        await Assert.ThrowsAsync<TimeoutException>(() => client.CallAsync<string>("wait").WaitAsync(Limit));
        Assert.True(await method.Cancelled.WaitAsync(Limit));
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_cancel_that_is_handled_before_its_request_still_cancels_it(string kind)
    {
        // StreamJsonRpc #56: the cancel races the request it names. Here it is even sent first, and the server
        // handles messages concurrently, so either may be handled first: the request is cancelled either way.
        var method = new WaitingMethod();
        await using Served served = await ServeAsync(kind, method.Dispatcher());
        await using RpcConnection client = await served.ConnectAsync();
        var protocol = new JsonRpcProtocol();

        await client.NotifyAsync(RpcProtocol.CancelRequestMethod, null, new Dictionary<string, object?> { ["id"] = "early" });
        RpcRequest request = protocol.CreateRequestBuilder("wait").Build();
        RpcException error = await Assert.ThrowsAnyAsync<RpcException>(() => client.SendAsync(WithId(protocol, request, "early")).WaitAsync(Limit));

        Assert.Equal(RpcErrorCodes.RequestCancelled, error.Code);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task The_methods_running_for_a_client_that_goes_away_are_cancelled(string kind)
    {
        // StreamJsonRpc #64: methods left running after their client went away.
        var method = new WaitingMethod();
        await using Served served = await ServeAsync(kind, method.Dispatcher());
        RpcConnection client = await served.ConnectAsync();

        Task<string> call = client.CallAsync<string>("wait");
        await method.Started.WaitAsync(Limit);
        await client.DisposeAsync();

        Assert.True(await method.Cancelled.WaitAsync(Limit));
        await Assert.ThrowsAnyAsync<Exception>(() => call.WaitAsync(Limit));
    }

    public static TheoryData<string, bool> TransportsAndChoice => new()
    {
        { "tcp", true }, { "tcp", false }, { "pipe", true }, { "pipe", false }, { "inmemory", true }, { "inmemory", false },
    };

    [Theory]
    [MemberData(nameof(TransportsAndChoice))]
    public async Task CancelCallsWhenClientLeaves_decides_whether_a_method_still_running_for_a_client_that_left_is_cancelled(string kind, bool cancelCallsWhenClientLeaves)
    {
        var entered = new TaskCompletionSource<(RpcConnection Connection, CancellationToken Token)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finished = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var dispatcher = new RpcDispatcher();
        dispatcher.AddMethod("work", async (request, ct) =>
        {
            entered.TrySetResult((RpcConnection.Of(request)!, ct));
            try
            {
                await release.Task.WaitAsync(ct);
                finished.TrySetResult(true);
                return request.Respond("done");
            }
            catch (OperationCanceledException)
            {
                finished.TrySetResult(false);
                throw;
            }
        });
        await using Served served = await ServeAsync(kind, dispatcher, new RpcServerOptions { CancelCallsWhenClientLeaves = cancelCallsWhenClientLeaves });
        RpcConnection client = await served.ConnectAsync();
        Task<string> call = client.CallAsync<string>("work");
        (RpcConnection serverSide, CancellationToken token) = await entered.Task.WaitAsync(Limit);

        await client.DisposeAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => call.WaitAsync(Limit));

        // The server's side of the client ends once the server has seen it leave; any cancelling is done by then.
        await serverSide.Completion.WaitAsync(Limit);
        Assert.Equal(cancelCallsWhenClientLeaves, token.IsCancellationRequested);
        if (cancelCallsWhenClientLeaves)
        {
            Assert.False(await finished.Task.WaitAsync(Limit));
        }
        else
        {
            // Still running, and it runs to its end.
            Assert.False(finished.Task.IsCompleted);
            release.SetResult();
            Assert.True(await finished.Task.WaitAsync(Limit));
        }
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task The_late_reply_of_a_method_that_ignores_its_cancellation_breaks_nothing(string kind)
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var dispatcher = new RpcDispatcher();
        dispatcher.AddMethod("stubborn", async (request, _) =>
        {
            started.TrySetResult();
            await release.Task;
            return request.Respond("late");
        });
        dispatcher.AddMethod((int a, int b) => a + b, "add");
        await using Served served = await ServeAsync(kind, dispatcher);
        await using RpcConnection client = await served.ConnectAsync();
        using var cancel = new CancellationTokenSource();

        Task<string> call = client.CallAsync<string>("stubborn", null, null, cancel.Token);
        await started.Task.WaitAsync(Limit);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(Limit));

        release.SetResult(); // the reply comes now, for a call nobody waits for
        Assert.Equal(5, await client.CallAsync<int>("add", 2, 3).WaitAsync(Limit));
        Assert.Equal(9, await client.CallAsync<int>("add", 4, 5).WaitAsync(Limit));
        Assert.Equal(0, client.PendingCalls);
    }

    [Fact]
    public async Task The_server_answers_a_cancelled_request_with_code_minus_32800()
    {
        var method = new WaitingMethod();
        await using Served served = await ServeAsync("tcp", method.Dispatcher());
        await using var channel = await StreamClientTransport.ConnectTcpAsync("127.0.0.1", served.Port);

        await channel.SendAsync(Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","method":"wait","id":41}"""));
        await method.Started.WaitAsync(Limit);
        await channel.SendAsync(Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":41}}"""));

        ReadOnlyMemory<byte>? reply = await channel.ReceiveAsync().AsTask().WaitAsync(Limit);
        var error = (RpcErrorResponse)new JsonRpcProtocol().ParseReply(reply!.Value);
        Assert.Equal(RpcId.FromNumber(41), error.Id);
        Assert.Equal(RpcErrorCodes.RequestCancelled, error.Code);
        Assert.True(await method.Cancelled.WaitAsync(Limit));
    }

    private static RpcRequest WithId(JsonRpcProtocol protocol, RpcRequest request, string id)
    {
        string json = Encoding.UTF8.GetString(request.Serialize().Span);
        json = System.Text.RegularExpressions.Regex.Replace(json, "\"id\":[^,}]+", $"\"id\":\"{id}\"");
        return (RpcRequest)protocol.ParseRequest(Encoding.UTF8.GetBytes(json));
    }

    /// <summary>A method that waits until its call is cancelled, and says whether it saw the cancellation.</summary>
    private sealed class WaitingMethod
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<bool> _cancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Started => _started.Task;

        public Task<bool> Cancelled => _cancelled.Task;

        public RpcDispatcher Dispatcher()
        {
            var dispatcher = new RpcDispatcher();
            dispatcher.AddMethod("wait", async (request, ct) =>
            {
                _started.TrySetResult();
                try
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }
                catch (OperationCanceledException)
                {
                    _cancelled.TrySetResult(true);
                    throw;
                }

                return request.Respond("never");
            });
            return dispatcher;
        }
    }

    private static async Task<Served> ServeAsync(string kind, RpcDispatcher dispatcher, RpcServerOptions? options = null)
    {
        var protocol = new JsonRpcProtocol();
        switch (kind)
        {
            case "tcp":
            {
                var transport = TcpServerTransport.Loopback();
                var server = new RpcServer(transport, protocol, dispatcher, options);
                return new Served(server, transport, async () => new RpcConnection(protocol, await StreamClientTransport.ConnectTcpAsync("127.0.0.1", transport.LocalEndPoint.Port)), transport.LocalEndPoint.Port);
            }

            case "pipe":
            {
                string name = "tinyrpc-cancel-" + Guid.NewGuid().ToString("N");
                var transport = new NamedPipeServerTransport(name);
                var server = new RpcServer(transport, protocol, dispatcher, options);
                return new Served(server, transport, async () => new RpcConnection(protocol, await StreamClientTransport.ConnectNamedPipeAsync(name)), 0);
            }

            default:
            {
                (InMemoryClientTransport channel, InMemoryServerTransport transport) = InMemoryTransport.CreatePair();
                var server = new RpcServer(transport, protocol, dispatcher, options);
                bool used = false;
                return await Task.FromResult(new Served(server, transport, () =>
                {
                    Assert.False(used, "one client per in-memory pair");
                    used = true;
                    return Task.FromResult(new RpcConnection(protocol, channel));
                }, 0));
            }
        }
    }

    /// <summary>A server serving until disposed, and a way to connect to it.</summary>
    private sealed class Served : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly object _transport;
        private readonly Func<Task<RpcConnection>> _connect;
        private readonly Task _serving;

        public Served(RpcServer server, object transport, Func<Task<RpcConnection>> connect, int port)
        {
            _transport = transport;
            _connect = connect;
            Port = port;
            _serving = server.ServeForeverAsync(_stop.Token);
        }

        public int Port { get; }

        public Task<RpcConnection> ConnectAsync() => _connect();

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            switch (_transport)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync();
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }

            await _serving.WaitAsync(Limit);
            _stop.Dispose();
        }
    }
}
