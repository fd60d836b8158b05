using System.Diagnostics;
using TinyRpc.Client;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Transports;

namespace TinyRpc.RabbitMQ.Tests;

/// <summary>
/// Restarts a broker of its own (<see cref="DedicatedRabbitMQNode"/>, on free ports), never the shared one on 5672: other
/// test assemblies (Hosting's brokered servers, say) use that one at the same time. Still run alone in this assembly.
/// </summary>
[CollectionDefinition(nameof(BrokerRestartCollection), DisableParallelization = true)]
public sealed class BrokerRestartCollection;

[Collection(nameof(BrokerRestartCollection))]
public sealed class BrokerRestartTests
{
    [Fact]
    public async Task Server_and_client_recover_after_the_broker_restarts_with_calls_in_flight()
    {
        string queue = TestService.NewQueueName("restart");
        await using DedicatedRabbitMQNode node = await DedicatedRabbitMQNode.StartAsync();
        await using RunningServer server = RunningServer.Start(await RabbitMQServerTransport.CreateAsync(RabbitMQBroker.Host, queue, port: node.Port));
        await using var transport = await RabbitMQClientTransport.CreateAsync(RabbitMQBroker.Host, queue, port: node.Port);
        transport.Timeout = TimeSpan.FromSeconds(2);
        var client = new RpcClient(new JsonRpcProtocol(), transport);
        Assert.Equal(1, await client.CallAsync<int>("subtract", 3, 2));

        // Traffic runs through the restart: each call either gets its own answer or fails with
        // RpcTransportException, and none outlives its timeout by more than a generous bound.
        using var stopTraffic = new CancellationTokenSource();
        var trafficFlowing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int answered = 0, failed = 0;
        var wrong = new System.Collections.Concurrent.ConcurrentQueue<string>();
        Task[] traffic = Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            for (int i = 0; !stopTraffic.IsCancellationRequested; i++)
            {
                try
                {
                    int result = await client.CallAsync<int>("subtract", i, worker).WaitAsync(TestService.Limit);
                    if (result != i - worker)
                    {
                        wrong.Enqueue($"{i} - {worker} = {result}");
                    }

                    if (Interlocked.Increment(ref answered) == 50)
                    {
                        trafficFlowing.TrySetResult();
                    }
                }
                catch (RpcTransportException)
                {
                    Interlocked.Increment(ref failed);

                    // Calls fail fast while the broker is down; do not spin.
                    await Task.Delay(50);
                }
                catch (Exception e)
                {
                    wrong.Enqueue(e.ToString());
                }
            }
        })).ToArray();
        await trafficFlowing.Task.WaitAsync(TestService.Limit);

        await node.StopAppAsync();
        try
        {
            // Calls fail clearly while the broker is down.
            await Assert.ThrowsAsync<RpcTransportException>(() => client.CallAsync<int>("subtract", 3, 2));
        }
        finally
        {
            await node.StartAppAsync();
        }

        // The connections recover by themselves, the server declares its (non-durable) queue again and
        // consumes it: calls work again within a bounded time.
        var clock = Stopwatch.StartNew();
        Exception? last = null;
        while (clock.Elapsed < TestService.Limit)
        {
            try
            {
                Assert.Equal(5, await client.CallAsync<int>("subtract", 7, 2));
                last = null;
                break;
            }
            catch (RpcTransportException e)
            {
                last = e;
                await Task.Delay(250, TestContext.Current.CancellationToken);
            }
        }

        Assert.Null(last);
        int answeredBeforeRecovery = Volatile.Read(ref answered);
        var recovered = Stopwatch.StartNew();
        while (Volatile.Read(ref answered) < answeredBeforeRecovery + 100 && recovered.Elapsed < TestService.Limit)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        await stopTraffic.CancelAsync();
        await Task.WhenAll(traffic).WaitAsync(TestService.Limit);
        string numbers = $"Calls through the restart: {answered} answered, {failed} failed with RpcTransportException, {wrong.Count} wrong or hung.";
        TestContext.Current.TestOutputHelper?.WriteLine(numbers);
        Assert.True(wrong.IsEmpty, numbers + "\n" + string.Join("\n", wrong.Take(5)));
        Assert.True(answered >= answeredBeforeRecovery + 100, numbers);
        Assert.True(failed > 0, numbers);
        int[] results = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => client.CallAsync<int>("subtract", i, 1)));
        Assert.Equal(Enumerable.Range(-1, 100), results);
    }
}
