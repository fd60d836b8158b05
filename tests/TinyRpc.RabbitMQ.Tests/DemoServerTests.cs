using TinyRpc.Client;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Protocols.MsgPackRpc;
using TinyRpc.Tests;
using TinyRpc.Transports;

namespace TinyRpc.RabbitMQ.Tests;

/// <summary>samples/DemoServer with <c>--transport rabbitmq</c>: it consumes a queue of the broker and answers calls.</summary>
public sealed class DemoServerTests
{
    [Theory]
    [InlineData("jsonrpc", false)]
    [InlineData("msgpack", false)]
    [InlineData("jsonrpc", true)]
    [InlineData("msgpack", true)]
    public async Task Demo_server_answers_every_method_it_lists(string protocolName, bool amqpUri)
    {
        string queue = TestService.NewQueueName("demo");
        string[] endpoint = amqpUri
            ? ["--endpoint", $"amqp://guest:guest@{RabbitMQBroker.Host}:{RabbitMQBroker.Port}/%2F", "--queue", queue]
            : ["--endpoint", $"{RabbitMQBroker.Host}:{RabbitMQBroker.Port}/{queue}"];
        await using DemoServerPeer demo = await DemoServerPeer.StartAsync(["--transport", "rabbitmq", "--protocol", protocolName, .. endpoint]);
        Assert.Equal($"rabbitmq://{RabbitMQBroker.Host}:{RabbitMQBroker.Port}/{queue}", demo.Endpoint);
        await using RabbitMQClientTransport transport = await RabbitMQClientTransport.CreateAsync(RabbitMQBroker.Host, queue, port: RabbitMQBroker.Port);
        await using var client = new RpcClient(protocolName == "msgpack" ? new MessagePackRpcProtocol() : new JsonRpcProtocol(), transport);
        await DemoServerMethods.AssertEveryMethodAsync(client);
    }

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
