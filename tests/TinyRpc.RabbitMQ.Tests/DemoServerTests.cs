using TinyRpc.Protocols;
using TinyRpc.Transports;

namespace TinyRpc.RabbitMQ.Tests;

/// <summary>samples/DemoServer with <c>--transport rabbitmq</c>: it consumes a queue of the broker and answers calls.</summary>
public sealed class DemoServerTests
{
    [Fact]
    public async Task Demo_server_serves_over_rabbitmq()
    {
        string queue = TestService.NewQueueName("demo");
        await using DemoServerPeer demo = await DemoServerPeer.StartAsync("--transport", "rabbitmq", "--endpoint", $"{RabbitMQBroker.Host}:{RabbitMQBroker.Port}/{queue}");
        Assert.Equal($"rabbitmq://{RabbitMQBroker.Host}:{RabbitMQBroker.Port}/{queue}", demo.Endpoint);

        await using RabbitMQClientTransport transport = await RabbitMQClientTransport.CreateAsync(RabbitMQBroker.Host, queue);
        await using var client = new RpcClient(new JsonRpcProtocol(), transport);
        Assert.Equal(19, await client.CallAsync<int>("subtract", null, new Dictionary<string, object?> { ["minuend"] = 42, ["subtrahend"] = 23 }));
        Assert.Equal("olleh", await client.CallAsync<string>("reverse_string", "hello"));
        await client.NotifyAsync("notify_hello", [7]);
        int[] results = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => client.CallAsync<int>("subtract", i, 1)));
        Assert.Equal(Enumerable.Range(-1, 100), results);
    }
}
