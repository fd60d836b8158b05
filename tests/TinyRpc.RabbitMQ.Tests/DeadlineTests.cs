using RabbitMQ.Client;
using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Exceptions;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Server;
using TinyRpc.Transports;

namespace TinyRpc.RabbitMQ.Tests;

/// <summary>The client's timeout travels with each request: the broker and the server do not start what its caller gave up on.</summary>
public sealed class DeadlineTests
{
    [Fact]
    public async Task A_request_whose_deadline_passes_while_queued_at_the_broker_is_dropped_and_never_dispatched()
    {
        await using var queue = new TestQueue("deadline-queued");
        await using (IConnection admin = await Admin.ConnectAsync())
        await using (IChannel channel = await admin.CreateChannelAsync())
        {
            // Declared as the server declares it, with no consumer yet: the request can only wait.
            await channel.QueueDeclareAsync(queue.Name, durable: false, exclusive: false, autoDelete: false);
            await using var early = await RabbitMQClientTransport.CreateAsync(RabbitMQBroker.Host, queue.Name);
            early.Timeout = TimeSpan.FromSeconds(1);
            await Assert.ThrowsAsync<RpcTransportException>(() => new RpcClient(new JsonRpcProtocol(), early).CallAsync<int>("work"));

            // The broker drops it (its expiration passed) before any server exists.
            Assert.Equal(0u, await Admin.WaitForEmptyQueueAsync(channel, queue.Name));
        }

        var counter = new WorkCounter();
        await using RunningServer server = await RunningServer.StartAsync(queue.Name, counter.Dispatcher, new RpcServerOptions { MaxConcurrency = 1 });
        await using var transport = await RabbitMQClientTransport.CreateAsync(RabbitMQBroker.Host, queue.Name);
        transport.Timeout = TestService.Limit;
        Assert.Equal(0, await new RpcClient(new JsonRpcProtocol(), transport).CallAsync<int>("probe"));
        Assert.Equal(0, counter.Worked);
    }

    [Fact]
    public async Task A_request_delivered_to_a_busy_server_after_its_deadline_passed_is_acknowledged_without_running()
    {
        await using var queue = new TestQueue("deadline-busy");
        var counter = new WorkCounter();

        // One call at a time: "work" waits behind "block" in the server until its caller has given up.
        await using RunningServer server = await RunningServer.StartAsync(queue.Name, counter.Dispatcher, new RpcServerOptions { MaxConcurrency = 1 });
        await using var blocking = await RabbitMQClientTransport.CreateAsync(RabbitMQBroker.Host, queue.Name);
        blocking.Timeout = TestService.Limit;
        Task<int> blocked = new RpcClient(new JsonRpcProtocol(), blocking).CallAsync<int>("block");
        await counter.BlockEntered.Task.WaitAsync(TestService.Limit);

        await using var transport = await RabbitMQClientTransport.CreateAsync(RabbitMQBroker.Host, queue.Name);
        transport.Timeout = TimeSpan.FromSeconds(1);
        var client = new RpcClient(new JsonRpcProtocol(), transport);
        await Assert.ThrowsAsync<RpcTransportException>(() => client.CallAsync<int>("work"));

        // The request carries its deadline on the wall clock, while the client's wait ends on the tick count: two clocks,
        // which may disagree by some milliseconds (the wall clock is slewed to keep time). Released in that gap, the
        // server would rightly still start "work", so the release waits until the deadline is past on either clock.
        await Task.Delay(TimeSpan.FromMilliseconds(100));
        counter.Release.SetResult();
        Assert.Equal(1, await blocked.WaitAsync(TestService.Limit));

        // The probe comes after "work" in the queue and the server takes one at a time: once it answers, "work" was handled.
        transport.Timeout = TestService.Limit;
        Assert.Equal(0, await client.CallAsync<int>("probe"));
        Assert.Equal(0, counter.Worked);
    }

    [Fact]
    public async Task A_running_method_is_cancelled_when_its_callers_deadline_passes()
    {
        await using var queue = new TestQueue("deadline-running");
        var counter = new WorkCounter();
        await using RunningServer server = await RunningServer.StartAsync(queue.Name, counter.Dispatcher);
        await using var transport = await RabbitMQClientTransport.CreateAsync(RabbitMQBroker.Host, queue.Name);
        transport.Timeout = TimeSpan.FromSeconds(1);
        await Assert.ThrowsAsync<RpcTransportException>(() => new RpcClient(new JsonRpcProtocol(), transport).CallAsync<int>("wait"));
        await counter.WaitCancelled.Task.WaitAsync(TestService.Limit);
    }
}

/// <summary>Methods that count what ran: "work", "block" (until released), "wait" (until its token fires), "probe" (the count of "work").</summary>
internal sealed class WorkCounter
{
    private int _worked;

    public WorkCounter()
    {
        Dispatcher.AddMethod("work", (request, _) => new(request.Respond(Interlocked.Increment(ref _worked))), []);
        Dispatcher.AddMethod("probe", (request, _) => new(request.Respond(Volatile.Read(ref _worked))), []);
        Dispatcher.AddMethod("block", async (request, _) =>
        {
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

    public TaskCompletionSource BlockEntered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource WaitCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
