using System.Diagnostics;
using RabbitMQ.Client;
using TinyRpc.Protocols;
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

            await CloseConnectionAsync(name);

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

    private static async Task CloseConnectionAsync(string userProvidedName)
    {
        (int code, string output) = await RabbitMQBroker.RunCtlAsync("list_connections", "pid", "client_properties", "--no-table-headers", "--quiet");
        Assert.True(code == 0, "rabbitmqctl list_connections failed: " + output);
        // client_properties carries the connection name the client gave.
        string? pid = output.Split('\n').Where(line => line.Contains(userProvidedName, StringComparison.Ordinal)).Select(line => line.Split('\t')[0].Trim()).SingleOrDefault();
        Assert.True(pid is not null, $"No connection named '{userProvidedName}' in:\n{output}");
        (code, output) = await RabbitMQBroker.RunCtlAsync("close_connection", pid!, "redelivery test");
        Assert.True(code == 0, "rabbitmqctl close_connection failed: " + output);
    }
}
