using System.Net;
using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Exceptions;
using TinyRpc.Server;
using TinyRpc.Transports;

namespace TinyRpc.MessagePack.Tests;

/// <summary>A MSGPACK-RPC reply over the TCP transport's size limit, with a real server and client on loopback.</summary>
public class TcpReplySizeTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_reply_over_the_size_limit_comes_back_as_an_error_for_its_request()
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterInstance(new Catalog());
        dispatcher.AddMethod("blob", static (request, _) =>
        {
            Assert.True(request.Arguments.TryGet(0, "n", out int n));
            return new(request.Respond(new string('x', n)));
        }, [new RpcParameter("n", typeof(int))]);
        await using TcpServerTransport transport = TcpServerTransport.Loopback(0, MessageFraming.ContentLength, maxMessageSize: 64 * 1024);
        var server = new RpcServer(transport, TestProtocols.WithResolver(), dispatcher);
        using var stop = new CancellationTokenSource();
        Task serving = server.ServeForeverAsync(stop.Token);
        await using var client = new RpcClient(TestProtocols.WithResolver(), await StreamClientTransport.ConnectTcpAsync(IPAddress.Loopback.ToString(), transport.LocalEndPoint.Port))
        {
            Timeout = Limit,
        };

        RpcException error = await Assert.ThrowsAnyAsync<RpcException>(() => client.CallAsync<string>("blob", 100_000));
        Assert.Equal(RpcErrorCodes.InternalError, error.Code);
        Assert.Contains("too large", error.Message, StringComparison.Ordinal);

        // The connection carries on, and a reply within the limit goes through.
        Assert.Equal(60_000, (await client.CallAsync<string>("blob", 60_000)).Length);
        Assert.Equal("cba", await client.GetProxy<ICatalog>().ReverseStringAsync("abc"));
        await stop.CancelAsync();
        await serving.WaitAsync(Limit);
    }
}
