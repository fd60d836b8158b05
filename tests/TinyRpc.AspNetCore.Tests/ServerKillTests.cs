using TinyRpc.Client;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Tests;
using TinyRpc.Transports;

namespace TinyRpc.AspNetCore.Tests;

/// <summary>
/// The demo server killed (SIGKILL) with calls in flight over TCP, WebSocket and HTTP: every call in flight fails
/// with a clear exception, never a hang or a wrong result; then a server comes back on the same port and the same
/// client object is tried again.
/// </summary>
public sealed class ServerKillTests
{
    private const int InFlight = 4;
    private static readonly TimeSpan Bound = ServerKillDrill.Bound;

    private static Task<ServerProcess> StartDemoAsync(string transport, string endpoint)
        => ServerProcess.StartAsync(ChildProcess.DotnetPath, [ChildProcess.DemoServerPath, "--transport", transport, "--endpoint", endpoint], "Listening on ");

    [Fact]
    public async Task Tcp_calls_in_flight_fail_when_the_server_is_killed_and_the_connection_stays_broken()
    {
        ServerProcess demo = await StartDemoAsync("tcp", "127.0.0.1:0");
        var address = new Uri(demo.Ready);
        await using StreamClientTransport stream = await StreamClientTransport.ConnectTcpAsync(address.Host, address.Port);
        await using var client = new RpcClient(new JsonRpcProtocol(), stream);
        try
        {
            Task<long>[] calls = await ServerKillDrill.StartSleepsAsync(client, client, InFlight);
            await demo.StopAsync();
            await ServerKillDrill.AssertEachFailsAsync<RpcTransportException>(calls);
        }
        finally
        {
            await demo.DisposeAsync();
        }

        // A new server on the same port: the connection does not come back by itself.
        await using ServerProcess again = await StartDemoAsync("tcp", $"127.0.0.1:{address.Port}");
        Assert.Equal(demo.Ready, again.Ready);
        RpcTransportException broken = await Assert.ThrowsAsync<RpcTransportException>(() => client.CallAsync<long>("subtract", 42, 23).WaitAsync(Bound));
        Assert.False(string.IsNullOrWhiteSpace(broken.Message));

        // What a program does instead: a new connection and a new client.
        await using var fresh = new RpcClient(new JsonRpcProtocol(), await StreamClientTransport.ConnectTcpAsync(address.Host, address.Port));
        Assert.Equal(19, await fresh.CallAsync<long>("subtract", 42, 23));
    }

    [Fact]
    public async Task Web_socket_calls_in_flight_fail_when_the_server_is_killed_and_the_socket_stays_closed()
    {
        ServerProcess demo = await StartDemoAsync("ws", "ws://127.0.0.1:0/ws");
        var address = new Uri(demo.Ready);
        await using WebSocketClientTransport socket = await WebSocketClientTransport.ConnectAsync(address);
        await using var client = new RpcClient(new JsonRpcProtocol(), socket);
        try
        {
            Task<long>[] calls = await ServerKillDrill.StartSleepsAsync(client, client, InFlight);
            await demo.StopAsync();
            await ServerKillDrill.AssertEachFailsAsync<RpcTransportException>(calls);
        }
        finally
        {
            await demo.DisposeAsync();
        }

        await using ServerProcess again = await StartDemoAsync("ws", address.ToString());
        Assert.Equal(demo.Ready, again.Ready);
        RpcTransportException broken = await Assert.ThrowsAsync<RpcTransportException>(() => client.CallAsync<long>("subtract", 42, 23).WaitAsync(Bound));
        Assert.False(string.IsNullOrWhiteSpace(broken.Message));

        await using var fresh = new RpcClient(new JsonRpcProtocol(), await WebSocketClientTransport.ConnectAsync(address));
        Assert.Equal(19, await fresh.CallAsync<long>("subtract", 42, 23));
    }

    [Fact]
    public async Task Http_calls_in_flight_fail_when_the_server_is_killed_and_the_same_client_works_once_it_is_back()
    {
        ServerProcess demo = await StartDemoAsync("http", "http://127.0.0.1:0/rpc");
        var address = new Uri(demo.Ready);
        using var http = new HttpClient { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        await using var client = new RpcClient(new JsonRpcProtocol(), new HttpPostClientTransport(http, address));
        try
        {
            Task<long>[] calls = await ServerKillDrill.StartSleepsAsync(client, client, InFlight);
            await demo.StopAsync();
            await ServerKillDrill.AssertEachFailsAsync<RpcTransportException>(calls);
        }
        finally
        {
            await demo.DisposeAsync();
        }

        await using ServerProcess again = await StartDemoAsync("http", address.ToString());
        Assert.Equal(demo.Ready, again.Ready);
        Assert.Equal(19, await client.CallAsync<long>("subtract", 42, 23).WaitAsync(Bound));
    }
}
