using TinyRpc.Client;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Transports;

namespace TinyRpc.RabbitMQ.Tests;

/// <summary>An independent AMQP client on the other end: Debian's python3-pika.</summary>
public sealed class PikaInteropTests
{
    [Fact]
    public async Task Pika_client_with_an_exclusive_reply_queue_calls_the_TinyRpc_server()
    {
        await using var testQueue = new TestQueue("pika-client");
        await using RunningServer server = await RunningServer.StartAsync(testQueue.Name);
        await using var python = PeerProcess.StartPython("pika_client.py", testQueue.Name,
            """{"jsonrpc":"2.0","method":"reverse_string","params":["Hello, World!"],"id":1}""",
            """{"jsonrpc":"2.0","method":"subtract","params":{"minuend":5,"subtrahend":8},"id":"two"}""",
            "garbage");

        Assert.Equal("""{"jsonrpc":"2.0","id":1,"result":"!dlroW ,olleH"}""", await python.ReadLineAsync());
        Assert.Equal("""{"jsonrpc":"2.0","id":"two","result":-3}""", await python.ReadLineAsync());
        Assert.Contains("-32700", await python.ReadLineAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await python.WaitForExitAsync());
    }

    [Fact]
    public async Task TinyRpc_client_calls_a_pika_server()
    {
        await using var testQueue = new TestQueue("pika-server");
        await using var python = PeerProcess.StartPython("pika_server.py", testQueue.Name);
        Assert.Equal("ready", await python.ReadLineAsync());

        await using var transport = await RabbitMQClientTransport.CreateAsync(RabbitMQBroker.Host, testQueue.Name);
        transport.Timeout = TestService.Limit;
        var client = new RpcClient(new JsonRpcProtocol(), transport);
        Assert.Equal("!dlroW ,olleH", await client.CallAsync<string>("reverse_string", "Hello, World!"));
        string[] results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => client.CallAsync<string>("reverse_string", "ab" + i)));
        Assert.Equal(Enumerable.Range(0, 200).Select(i => new string(("ab" + i).Reverse().ToArray())), results);
        await client.NotifyAsync("reverse_string", ["ignored"]);
    }
}
