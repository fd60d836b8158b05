using TinyRpc.Client;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Tests;
using TinyRpc.Transports;

namespace TinyRpc.RabbitMQ.Tests;

/// <summary>
/// samples/DemoServer over RabbitMQ killed (SIGKILL) with calls in flight. The client talks to the broker, not to
/// the server, so it cannot know that the server died: each call in flight fails when its timeout ends. The broker
/// puts the unacknowledged requests back on the queue, the next server does not run them since their deadline has
/// passed, and the same client object works again once a server consumes the queue anew.
/// </summary>
public sealed class ServerKillTests
{
    private const int InFlight = 4;

    [Fact]
    public async Task Calls_in_flight_fail_after_their_timeout_and_the_same_client_works_once_a_server_is_back()
    {
        await using var queue = new TestQueue("kill");
        string[] args = ["--transport", "rabbitmq", "--endpoint", $"{RabbitMQBroker.Host}:{RabbitMQBroker.Port}/{queue.Name}"];
        DemoServerPeer demo = await DemoServerPeer.StartAsync(args);
        await using RabbitMQClientTransport transport = await RabbitMQClientTransport.CreateAsync(RabbitMQBroker.Host, queue.Name, port: RabbitMQBroker.Port);
        transport.Timeout = TimeSpan.FromSeconds(3);
        await using var client = new RpcClient(new JsonRpcProtocol(), transport);
        try
        {
            Task<long>[] calls = await ServerKillDrill.StartSleepsAsync(client, client, InFlight);
            await demo.DisposeAsync();
            await ServerKillDrill.AssertEachFailsAsync<RpcTransportException>(calls);
        }
        finally
        {
            await demo.DisposeAsync();
        }

        await using DemoServerPeer again = await DemoServerPeer.StartAsync(args);
        transport.Timeout = ServerKillDrill.Bound;

        // The broker delivers the requests the killed server took but never answered again, before the calls made now,
        // but their callers have given up and their deadline (the transport's Timeout) has passed: the new server
        // acknowledges them without running them. Each probe below is read after them, and finds none running.
        for (int probe = 0; probe < 3; probe++)
        {
            Assert.Equal(0, await client.CallAsync<long>("pending"));
        }

        Assert.Equal(19, await client.CallAsync<long>("subtract", 42, 23));
    }
}
