using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Exceptions;
using TinyRpc.Protocols.JsonRpc;

namespace TinyRpc.Integration.Tests;

/// <summary>Generated proxies over RpcClient, talking to generated tables through an in-process loopback.</summary>
public class ProxyTests
{
    private static (IEchoService Proxy, EchoService Server, LoopbackTransport Transport) Connect(string prefix = "echo.", bool oneWay = false)
    {
        var server = new EchoService();
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterInstance(server, "echo.");
        var transport = new LoopbackTransport(dispatcher);
        var client = new RpcClient(new Protocols.JsonRpc.JsonRpcProtocol(), transport);
        return (client.GetProxy<IEchoService>(prefix, oneWay), server, transport);
    }

    [Fact]
    public async Task Calls_go_through_the_proxy_with_the_prefix()
    {
        (IEchoService proxy, EchoService server, _) = Connect();
        Assert.Equal("hi", await proxy.EchoAsync("hi"));
        Assert.Equal(7, await proxy.SumAsync(1, 2, 4));
        Assert.Equal(0, await proxy.SumAsync());
        Assert.Equal(42, proxy.Multiply(6, 7));
        await proxy.PingAsync();
        proxy.Touch();
        Assert.Equal(2, server.Pings);
        Assert.Equal("<x>", proxy.Describe("x"));
        Assert.Null(proxy.Describe(null));
        Assert.Equal(5, await proxy.SlowAsync(5, CancellationToken.None));
    }

    [Fact]
    public async Task One_way_methods_send_notifications()
    {
        (IEchoService proxy, EchoService server, LoopbackTransport transport) = Connect();
        await proxy.RecordAsync("first");
        Assert.Equal(["first"], server.Entries);
        Assert.Equal(1, transport.Messages);
    }

    [Fact]
    public async Task A_one_way_proxy_sends_every_call_as_a_notification()
    {
        (IEchoService proxy, EchoService server, _) = Connect(oneWay: true);
        Assert.Null(await proxy.EchoAsync("ignored"));
        Assert.Equal(0, proxy.Multiply(6, 7));
        await proxy.PingAsync();
        proxy.Touch();
        Assert.Equal(2, server.Pings);
    }

    [Fact]
    public async Task Errors_are_thrown_as_rpc_exceptions()
    {
        (IEchoService proxy, _, _) = Connect(prefix: "wrong.");
        RpcException error = await Assert.ThrowsAnyAsync<RpcException>(() => proxy.EchoAsync("x"));
        Assert.Equal(RpcErrorCodes.MethodNotFound, error.Code);
        Assert.ThrowsAny<RpcException>(() => proxy.Touch());
        await Assert.ThrowsAnyAsync<RpcException>(() => proxy.PingAsync());
    }

    [Fact]
    public async Task Cancellation_tokens_cancel_the_call_and_are_not_sent()
    {
        (IEchoService proxy, _, _) = Connect();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => proxy.SlowAsync(10_000, cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => proxy.EchoAsync("x", cts.Token));
    }

    [Fact]
    public async Task The_reverse_string_example_through_a_proxy()
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterInstance(new StringService());
        var client = new RpcClient(new Protocols.JsonRpc.JsonRpcProtocol(), new LoopbackTransport(dispatcher));
        IStringClient proxy = client.GetProxy<IStringClient>();
        Assert.Equal("!dlroW ,olleH", await proxy.ReverseStringAsync("Hello, World!"));
        RpcException error = await Assert.ThrowsAnyAsync<RpcException>(() => proxy.ReverseStringAsync("rotator"));
        Assert.Equal(99, error.Code);
        Assert.Equal("Ah, that's cheating", error.Message);
        Assert.Equal("rotator", error.GetData<string>());
    }

    [Fact]
    public async Task The_generated_proxy_can_be_created_directly()
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterInstance(new EchoService(), "echo.");
        var client = new RpcClient(new Protocols.JsonRpc.JsonRpcProtocol(), new LoopbackTransport(dispatcher));
        IEchoService proxy = new EchoServiceProxy(client, "echo.", oneWay: false);
        Assert.IsType<EchoServiceProxy>(client.GetProxy<IEchoService>());
        Assert.Equal("x", await proxy.EchoAsync("x"));
        Assert.Equal(6, proxy.Multiply(2, 3));
    }
}

/// <summary>The client side of the reverse-string example, named as the Python server names it.</summary>
[RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase, TrimAsyncSuffix = true)]
public interface IStringClient
{
    Task<string> ReverseStringAsync(string s);
}
