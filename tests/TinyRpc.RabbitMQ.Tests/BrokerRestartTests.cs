using System.Diagnostics;
using TinyRpc.Protocols;
using TinyRpc.Transports;

namespace TinyRpc.RabbitMQ.Tests;

/// <summary>Restarting the broker breaks every other test in flight, so this runs alone, after the others.</summary>
[CollectionDefinition(nameof(BrokerRestartCollection), DisableParallelization = true)]
public sealed class BrokerRestartCollection;

[Collection(nameof(BrokerRestartCollection))]
public sealed class BrokerRestartTests
{
    [Fact]
    public async Task Server_and_client_recover_after_the_broker_restarts()
    {
        string queue = TestService.NewQueueName("restart");
        await using RunningServer server = await RunningServer.StartAsync(queue);
        await using var transport = await RabbitMQClientTransport.CreateAsync(RabbitMQBroker.Host, queue);
        transport.Timeout = TimeSpan.FromSeconds(2);
        var client = new RpcClient(new JsonRpcProtocol(), transport);
        Assert.Equal(1, await client.CallAsync<int>("subtract", 3, 2));

        (int stopCode, string stopOutput) = await RabbitMQBroker.RunCtlAsync("stop_app");
        Assert.SkipWhen(stopCode != 0, $"The broker cannot be restarted from here (rabbitmqctl stop_app: {stopOutput.Trim()}).");
        try
        {
            // Calls fail clearly while the broker is down.
            await Assert.ThrowsAsync<RpcTransportException>(() => client.CallAsync<int>("subtract", 3, 2));
        }
        finally
        {
            (int startCode, string startOutput) = await RabbitMQBroker.RunCtlAsync("start_app");
            Assert.True(startCode == 0, "rabbitmqctl start_app failed: " + startOutput);
            await RabbitMQBroker.WaitUntilReadyAsync(TestService.Limit);
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
        int[] results = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => client.CallAsync<int>("subtract", i, 1)));
        Assert.Equal(Enumerable.Range(-1, 100), results);
        await Admin.DeleteQueueAsync(queue);
    }
}
