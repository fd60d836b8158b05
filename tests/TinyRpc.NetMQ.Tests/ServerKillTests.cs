using TinyRpc.Client;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Tests;
using TinyRpc.Transports;

namespace TinyRpc.NetMQ.Tests;

/// <summary>
/// samples/DemoServer over ZeroMQ killed (SIGKILL) with calls in flight. ZeroMQ hides the connection, so a client
/// cannot know that the server died: each call in flight fails when its timeout ends, never later and never with a
/// result. ZeroMQ reconnects by itself, so the same client object works again once a server binds the endpoint anew.
/// </summary>
public sealed class ServerKillTests
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task Req_call_in_flight_fails_after_its_timeout_and_the_same_client_works_once_a_server_is_back()
    {
        DemoServerPeer demo = await DemoServerPeer.StartAsync("--transport", "zmq", "--endpoint", "tcp://127.0.0.1:*");
        string endpoint = demo.Endpoint;
        using ZmqClientTransport req = ZmqClientTransport.Create(endpoint);
        req.Timeout = CallTimeout;
        var client = new RpcClient(new JsonRpcProtocol(), req);
        try
        {
            // A REQ socket carries one exchange at a time: one call in flight, watched over a second socket.
            using ZmqClientTransport watch = ZmqClientTransport.Create(endpoint);
            Task<long>[] calls = await ServerKillDrill.StartSleepsAsync(client, new RpcClient(new JsonRpcProtocol(), watch), 1);
            await demo.DisposeAsync();
            await ServerKillDrill.AssertEachFailsAsync<RpcTransportException>(calls);
        }
        finally
        {
            await demo.DisposeAsync();
        }

        await using DemoServerPeer again = await DemoServerPeer.StartAsync("--transport", "zmq", "--endpoint", endpoint);
        Assert.Equal(endpoint, again.Endpoint);
        req.Timeout = ServerKillDrill.Bound;
        Assert.Equal(19, await client.CallAsync<long>("subtract", 42, 23));
        Assert.True(req.SocketsRecreated >= 1, $"The REQ socket was replaced {req.SocketsRecreated} times after the lost reply.");
    }

    [Fact]
    public async Task Dealer_calls_in_flight_fail_after_their_timeout_and_the_same_client_works_once_a_server_is_back()
    {
        DemoServerPeer demo = await DemoServerPeer.StartAsync("--transport", "zmq", "--endpoint", "tcp://127.0.0.1:*");
        string endpoint = demo.Endpoint;
        await using var client = new RpcClient(new JsonRpcProtocol(), ZmqDealerClientTransport.Create(endpoint)) { Timeout = CallTimeout };
        try
        {
            Task<long>[] calls = await ServerKillDrill.StartSleepsAsync(client, client, 4);
            await demo.DisposeAsync();
            await ServerKillDrill.AssertEachFailsAsync<TimeoutException>(calls);
        }
        finally
        {
            await demo.DisposeAsync();
        }

        await using DemoServerPeer again = await DemoServerPeer.StartAsync("--transport", "zmq", "--endpoint", endpoint);
        Assert.Equal(endpoint, again.Endpoint);
        client.Timeout = ServerKillDrill.Bound;
        Assert.Equal(19, await client.CallAsync<long>("subtract", 42, 23));
        Assert.Equal(0, client.PendingCalls);
    }
}
