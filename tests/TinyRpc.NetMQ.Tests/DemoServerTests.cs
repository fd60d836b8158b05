using TinyRpc.Client;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Protocols.MsgPackRpc;
using TinyRpc.Tests;
using TinyRpc.Transports;

namespace TinyRpc.NetMQ.Tests;

/// <summary>samples/DemoServer with <c>--transport zmq</c>, in both protocols, called over REQ and DEALER sockets.</summary>
public sealed class DemoServerTests
{
    [Theory]
    [InlineData("jsonrpc")]
    [InlineData("msgpack")]
    public async Task Demo_server_serves_over_zmq(string protocolName)
    {
        await using DemoServerPeer demo = await DemoServerPeer.StartAsync("--transport", "zmq", "--protocol", protocolName, "--endpoint", "tcp://127.0.0.1:*");
        Assert.StartsWith("tcp://127.0.0.1:", demo.Endpoint, StringComparison.Ordinal);
        RpcProtocol Protocol() => protocolName == "msgpack" ? new MessagePackRpcProtocol() : new JsonRpcProtocol();

        using (ZmqClientTransport req = ZmqClientTransport.Create(demo.Endpoint))
        {
            var client = new RpcClient(Protocol(), req);
            Assert.Equal(19, await client.CallAsync<int>("subtract", 42, 23));
            Assert.Equal(7, await client.CallAsync<int>("sum", 1, 2, 4));
            Assert.Equal("sitea", await client.CallAsync<string>("sitea.get_site"));
            RpcException cheat = await Assert.ThrowsAnyAsync<RpcException>(() => client.CallAsync<object>("cheat"));
            Assert.Equal(99, cheat.Code);
            await DemoServerMethods.AssertEveryMethodAsync(client);
        }

        using ZmqDealerClientTransport dealer = ZmqDealerClientTransport.Create(demo.Endpoint);
        await using var duplex = new RpcClient(Protocol(), dealer);
        string[] reversed = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => duplex.CallAsync<string>("reverse_string", $"ab{i}")));
        Assert.Equal(Enumerable.Range(0, 200).Select(i => new string($"ab{i}".Reverse().ToArray())), reversed);
        await DemoServerMethods.AssertEveryMethodAsync(duplex);
    }
}
