using System.Collections.Concurrent;
using System.Net;
using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Protocols;
using TinyRpc.Protocols.MsgPackRpc;
using TinyRpc.Server;
using TinyRpc.Transports;

namespace TinyRpc.MessagePack.Tests;

/// <summary>A method's <see cref="RpcCallContext"/> over MSGPACK-RPC, on a TCP connection on this machine.</summary>
public sealed partial class CallContextTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    [RpcService]
    public sealed partial class ContextService
    {
        public ConcurrentQueue<(RpcId Id, string Method, RpcProtocol? Protocol, bool HasConnection, EndPoint? Remote)> Calls { get; } = new();

        [Public("who")]
        public string Who(int n, RpcCallContext context)
        {
            Calls.Enqueue((context.Id, context.Method, context.Protocol, context.Connection is not null, context.RemoteEndPoint));
            return "n=" + n;
        }
    }

    [Fact]
    public async Task A_method_sees_its_call_over_tcp()
    {
        var service = new ContextService();
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterInstance(service);
        var protocol = new MessagePackRpcProtocol();
        await using var transport = TcpServerTransport.Loopback();
        using var stop = new CancellationTokenSource();
        Task serving = new RpcServer(transport, protocol, dispatcher).ServeForeverAsync(stop.Token);
        RpcRequest request = protocol.CreateRequest("who", [6]);
        try
        {
            await using var client = new RpcConnection(protocol, await StreamClientTransport.ConnectTcpAsync("127.0.0.1", transport.LocalEndPoint.Port));
            Assert.Equal("n=6", await client.SendAsync<string>(request).WaitAsync(Limit));
        }
        finally
        {
            await stop.CancelAsync();
            await serving.WaitAsync(Limit);
        }

        (RpcId id, string method, RpcProtocol? seenProtocol, bool hasConnection, EndPoint? remote) = Assert.Single(service.Calls);
        Assert.Equal(request.Id, id);
        Assert.Equal("who", method);
        Assert.Same(protocol, seenProtocol);
        Assert.True(hasConnection);
        IPEndPoint address = Assert.IsType<IPEndPoint>(remote);
        Assert.True(IPAddress.IsLoopback(address.Address), address.ToString());
    }
}
