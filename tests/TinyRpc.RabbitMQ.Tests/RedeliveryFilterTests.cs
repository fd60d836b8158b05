using System.Diagnostics;
using System.Text;
using System.Threading.Channels;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Server;
using TinyRpc.Transports;

namespace TinyRpc.RabbitMQ.Tests;

/// <summary>
/// A request redelivered to the same server process while its first delivery still runs: the broker closes the
/// server's connection (rabbitmqctl close_connection), the connection recovers, and the broker delivers the
/// unacknowledged request again with its redelivered flag set.
/// </summary>
public sealed class RedeliveryFilterTests
{
    [Fact]
    public async Task Without_the_filter_a_request_redelivered_while_it_runs_runs_again_and_its_caller_gets_one_answer()
    {
        (int runs, long filtered, long discarded) = await RedeliverWhileRunningAsync(filterCapacity: 0);
        Assert.Equal(2, runs);
        Assert.Equal(0, filtered);
        Assert.Equal(1, discarded);
    }

    [Fact]
    public async Task With_the_filter_a_request_redelivered_while_it_runs_is_acknowledged_and_not_run_again()
    {
        (int runs, long filtered, long discarded) = await RedeliverWhileRunningAsync(filterCapacity: 100);
        Assert.Equal(1, runs);
        Assert.Equal(1, filtered);
        Assert.Equal(0, discarded);
    }

    /// <summary>
    /// A request whose acknowledgement was lost after its reply went out: the server's connection is closed by the
    /// broker while the method runs, and the broker puts the request back. A second consumer of the queue (raw AMQP)
    /// holds that redelivery until the first run has replied over the recovered connection (whose acknowledgement
    /// carries a delivery tag of the closed channel, so it never reaches the broker), then gives it back. The broker
    /// delivers it to the server again, redelivered: the filter must send the remembered reply again, without running
    /// the method a second time.
    /// </summary>
    [Fact]
    public async Task With_the_filter_a_request_redelivered_after_its_reply_gets_the_remembered_reply_again_and_does_not_run_again()
    {
        string queue = TestService.NewQueueName("resend");
        string name = "TinyRpc redelivery test " + Guid.NewGuid().ToString("N");
        var factory = new ConnectionFactory
        {
            HostName = RabbitMQBroker.Host,
            Port = RabbitMQBroker.Port,
            // Long enough that the broker has handed the requeued request to the holding consumer before the
            // server's consumer is back; the test checks that it did.
            NetworkRecoveryInterval = TimeSpan.FromSeconds(2),
        };
        await using IConnection serverConnection = await factory.CreateConnectionAsync(name);
        var recovered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        serverConnection.RecoverySucceededAsync += (_, _) =>
        {
            recovered.TrySetResult();
            return Task.CompletedTask;
        };

        int runs = 0;
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var dispatcher = new RpcDispatcher();
        dispatcher.AddMethod("hold", async (request, _) =>
        {
            // Each run answers with its own number, so a second run could not pass for the remembered reply.
            int run = Interlocked.Increment(ref runs);
            running.TrySetResult();
            await release.Task;
            return request.Respond(run);
        });

        await using IConnection test = await Admin.ConnectAsync("TinyRpc redelivery test peer");
        await using IChannel replies = await test.CreateChannelAsync();
        string replyQueue = (await replies.QueueDeclareAsync(string.Empty, durable: false, exclusive: true, autoDelete: true)).QueueName;
        var received = Channel.CreateUnbounded<(string? CorrelationId, byte[] Body)>();
        var replyConsumer = new AsyncEventingBasicConsumer(replies);
        replyConsumer.ReceivedAsync += (_, e) =>
        {
            received.Writer.TryWrite((e.BasicProperties.CorrelationId, e.Body.ToArray()));
            return Task.CompletedTask;
        };
        await replies.BasicConsumeAsync(replyQueue, autoAck: true, replyConsumer);

        await using (RabbitMQServerTransport transport = await RabbitMQServerTransport.CreateAsync(serverConnection, queue))
        {
            transport.RedeliveryFilterCapacity = 100;
            using var stop = new CancellationTokenSource();
            Task serving = new RpcServer(transport, new JsonRpcProtocol(), dispatcher).ServeForeverAsync(stop.Token);

            await using IChannel publisher = await test.CreateChannelAsync();
            var properties = new BasicProperties { MessageId = Guid.NewGuid().ToString("N"), CorrelationId = "call-1", ReplyTo = replyQueue };
            await publisher.BasicPublishAsync(string.Empty, queue, mandatory: false, properties, """{"jsonrpc":"2.0","method":"hold","id":1}"""u8.ToArray());
            await running.Task.WaitAsync(TestService.Limit);

            // The holding consumer joins only now, so the first delivery went to the server.
            await using IChannel holder = await test.CreateChannelAsync();
            await holder.BasicQosAsync(0, 1, false);
            var held = new TaskCompletionSource<BasicDeliverEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
            var holdingConsumer = new AsyncEventingBasicConsumer(holder);
            holdingConsumer.ReceivedAsync += (_, e) =>
            {
                held.TrySetResult(e);
                return Task.CompletedTask;
            };
            string holderTag = await holder.BasicConsumeAsync(queue, autoAck: false, holdingConsumer);

            await RabbitMQBroker.CloseConnectionAsync(name);
            BasicDeliverEventArgs redelivery = await held.Task.WaitAsync(TestService.Limit);
            Assert.True(redelivery.Redelivered);
            Assert.Equal(properties.MessageId, redelivery.BasicProperties.MessageId);

            // The first run replies once the server's connection is back.
            await recovered.Task.WaitAsync(TestService.Limit);
            release.TrySetResult();
            (string? CorrelationId, byte[] Body) first = await received.Reader.ReadAsync().AsTask().WaitAsync(TestService.Limit);
            Assert.Equal("call-1", first.CorrelationId);
            Assert.Equal("""{"jsonrpc":"2.0","id":1,"result":1}""", Encoding.UTF8.GetString(first.Body));

            // Given back, the request can only go to the server's consumer.
            await holder.BasicCancelAsync(holderTag);
            await holder.BasicRejectAsync(redelivery.DeliveryTag, requeue: true);
            (string? CorrelationId, byte[] Body) again = await received.Reader.ReadAsync().AsTask().WaitAsync(TestService.Limit);
            Assert.Equal("call-1", again.CorrelationId);
            Assert.Equal(first.Body, again.Body);
            Assert.Equal(1, Volatile.Read(ref runs));
            Assert.Equal(1, transport.FilteredRedeliveries);

            await stop.CancelAsync();
            await serving.WaitAsync(TestService.Limit);
        }

        Assert.Equal(1, Volatile.Read(ref runs));
        Assert.False(received.Reader.TryRead(out _));
        await Admin.DeleteQueueAsync(queue);
    }

    private static async Task<(int Runs, long Filtered, long Discarded)> RedeliverWhileRunningAsync(int filterCapacity)
    {
        string queue = TestService.NewQueueName("redeliver");
        string name = "TinyRpc redelivery test " + Guid.NewGuid().ToString("N");
        var factory = new ConnectionFactory
        {
            HostName = RabbitMQBroker.Host,
            Port = RabbitMQBroker.Port,
            NetworkRecoveryInterval = TimeSpan.FromMilliseconds(200),
        };
        await using IConnection serverConnection = await factory.CreateConnectionAsync(name);
        int runs = 0;
        var firstRun = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondRun = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var dispatcher = new RpcDispatcher();
        dispatcher.AddMethod("hold", async (request, _) =>
        {
            (Interlocked.Increment(ref runs) == 1 ? firstRun : secondRun).TrySetResult();
            await release.Task;
            return request.Respond(42);
        });

        await using (RabbitMQServerTransport transport = await RabbitMQServerTransport.CreateAsync(serverConnection, queue))
        {
            transport.RedeliveryFilterCapacity = filterCapacity;
            using var stop = new CancellationTokenSource();
            Task serving = new RpcServer(transport, new JsonRpcProtocol(), dispatcher).ServeForeverAsync(stop.Token);
            await using var clientTransport = await RabbitMQClientTransport.CreateAsync(RabbitMQBroker.Host, queue);
            clientTransport.Timeout = TestService.Limit;
            var client = new RpcClient(new JsonRpcProtocol(), clientTransport);
            Task<int> call = client.CallAsync<int>("hold");
            await firstRun.Task.WaitAsync(TestService.Limit);

            await RabbitMQBroker.CloseConnectionAsync(name);

            // The redelivery either runs the method a second time or is filtered: wait for whichever comes.
            var clock = Stopwatch.StartNew();
            while (!secondRun.Task.IsCompleted && transport.FilteredRedeliveries == 0 && clock.Elapsed < TestService.Limit)
            {
                await Task.WhenAny(secondRun.Task, Task.Delay(50));
            }

            release.TrySetResult();
            Assert.Equal(42, await call.WaitAsync(TestService.Limit));
            Assert.Equal(0, clientTransport.PendingCalls);
            // Each run's reply reaches the client: the first answers the call, a second is dropped.
            clock.Restart();
            while (clientTransport.DiscardedReplies < Volatile.Read(ref runs) - 1 && clock.Elapsed < TestService.Limit)
            {
                await Task.Delay(50);
            }

            await stop.CancelAsync();
            await serving.WaitAsync(TestService.Limit);

            long filtered = transport.FilteredRedeliveries;
            await Admin.DeleteQueueAsync(queue);
            return (Volatile.Read(ref runs), filtered, clientTransport.DiscardedReplies);
        }
    }
}
