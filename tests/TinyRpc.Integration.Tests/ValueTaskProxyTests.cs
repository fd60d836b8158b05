using System.Reflection;
using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Exceptions;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Server;
using TinyRpc.Transports;

namespace TinyRpc.Integration.Tests;

/// <summary>A contract whose methods return value tasks, called through its generated proxy.</summary>
[RpcService]
public interface IValueCounter
{
    [Public("add")]
    ValueTask<int> AddAsync(int a, int b);

    [Public("touch")]
    ValueTask TouchAsync();

    [Public("fail")]
    ValueTask<int> FailAsync();

    [Public("fail_quietly")]
    ValueTask FailQuietlyAsync();

    [Public("wait")]
    ValueTask<int> WaitAsync(CancellationToken cancellationToken);

    [Public("touch_later"), OneWay]
    ValueTask TouchLaterAsync();
}

/// <summary>The server side of <see cref="IValueCounter"/>.</summary>
[RpcService]
public sealed partial class ValueCounter : IValueCounter
{
    private int _touches;

    public int Touches => Volatile.Read(ref _touches);

    public TaskCompletionSource Touched { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ValueTask<int> AddAsync(int a, int b) => ValueTask.FromResult(a + b);

    public ValueTask TouchAsync()
    {
        if (Interlocked.Increment(ref _touches) == 2)
        {
            Touched.TrySetResult();
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<int> FailAsync() => throw new ServerException("no count");

    public ValueTask FailQuietlyAsync() => throw new ServerException("no touch");

    public async ValueTask<int> WaitAsync(CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return 0;
    }

    public ValueTask TouchLaterAsync() => TouchAsync();
}

/// <summary>
/// Proxy methods that return <see cref="ValueTask"/> and <see cref="ValueTask{TResult}"/> over a real TCP connection on
/// this machine and in memory: results, errors, cancellation, a notification, and no <see cref="Task"/> behind them.
/// </summary>
public sealed class ValueTaskProxyTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    public static TheoryData<string> Transports => ["tcp", "inmemory"];

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Value_task_methods_return_results_errors_and_cancellation(string kind)
    {
        var counter = new ValueCounter();
        await using Served served = await Served.StartAsync(kind, counter);
        IValueCounter proxy = served.Client.GetProxy<IValueCounter>();

        Assert.Equal(5, await proxy.AddAsync(2, 3).AsTask().WaitAsync(Limit));
        await proxy.TouchAsync().AsTask().WaitAsync(Limit);
        int[] sums = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => proxy.AddAsync(i, 1).AsTask())).WaitAsync(Limit);
        Assert.Equal(Enumerable.Range(1, 20), sums);

        RpcException failed = await Assert.ThrowsAnyAsync<RpcException>(() => proxy.FailAsync().AsTask().WaitAsync(Limit));
        Assert.Equal("no count", failed.Message);
        RpcException quiet = await Assert.ThrowsAnyAsync<RpcException>(() => proxy.FailQuietlyAsync().AsTask().WaitAsync(Limit));
        Assert.Equal("no touch", quiet.Message);

        using var cancel = new CancellationTokenSource();
        ValueTask<int> waiting = proxy.WaitAsync(cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.AsTask().WaitAsync(Limit));

        // A one-way value task completes once sent; the server runs it.
        await proxy.TouchLaterAsync().AsTask().WaitAsync(Limit);
        await counter.Touched.Task.WaitAsync(Limit);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_pending_value_task_has_no_task_behind_it(string kind)
    {
        var counter = new ValueCounter();
        await using Served served = await Served.StartAsync(kind, counter);
        IValueCounter proxy = served.Client.GetProxy<IValueCounter>();
        using var cancel = new CancellationTokenSource();

        // Reads what the value task wraps (a private field, for this test only): a Task would be an allocation per call
        // that the proxy of a ValueTask method is there to avoid.
        ValueTask<int> pending = proxy.WaitAsync(cancel.Token);
        object? behind = typeof(ValueTask<int>).GetField("_obj", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(pending);
        Assert.False(pending.IsCompleted);
        Assert.IsNotAssignableFrom<Task>(behind);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.AsTask().WaitAsync(Limit));
    }

    private sealed class Served : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly object _transport;
        private readonly Task _serving;

        private Served(RpcServer server, object transport, RpcConnection client)
        {
            _transport = transport;
            Client = client;
            _serving = server.ServeForeverAsync(_stop.Token);
        }

        public RpcConnection Client { get; }

        public static async Task<Served> StartAsync(string kind, ValueCounter counter)
        {
            var protocol = new JsonRpcProtocol();
            var dispatcher = new RpcDispatcher();
            dispatcher.RegisterInstance(counter);
            if (kind == "tcp")
            {
                var tcp = TcpServerTransport.Loopback();
                var server = new RpcServer(tcp, protocol, dispatcher);
                return new Served(server, tcp, new RpcConnection(protocol, await StreamClientTransport.ConnectTcpAsync("127.0.0.1", tcp.LocalEndPoint.Port)));
            }

            (InMemoryClientTransport channel, InMemoryServerTransport memory) = InMemoryTransport.CreatePair();
            return new Served(new RpcServer(memory, protocol, dispatcher), memory, new RpcConnection(protocol, channel));
        }

        public async ValueTask DisposeAsync()
        {
            await Client.DisposeAsync();
            await _stop.CancelAsync();
            if (_transport is IAsyncDisposable asyncDisposable)
            {
                await asyncDisposable.DisposeAsync();
            }
            else
            {
                ((IDisposable)_transport).Dispose();
            }

            await _serving.WaitAsync(Limit);
            _stop.Dispose();
        }
    }
}
