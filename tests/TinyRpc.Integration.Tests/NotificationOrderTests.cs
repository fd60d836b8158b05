using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Server;
using TinyRpc.Transports;

namespace TinyRpc.Integration.Tests;

/// <summary>
/// Notifications a server pushes to a client are started by the client's connection in the order they were sent, as
/// the connection does for any notification it serves: over a real TCP socket on this machine.
/// </summary>
public class NotificationOrderTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Notifications_the_server_pushes_reach_the_clients_method_in_the_order_they_were_sent()
    {
        const int Count = 2000;
        var entered = new List<int>(Count);
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var callbacks = new RpcDispatcher();
        callbacks.AddMethod("tick", async (request, _) =>
        {
            int n = request.Arguments.TryGet(0, "n", request.Arguments.IsNamed, out int v) ? v : -1;
            lock (entered)
            {
                entered.Add(n);
                if (entered.Count == Count)
                {
                    all.TrySetResult();
                }
            }

            // Each handler waits, so the next may start while it is still running: only their starts are ordered.
            await Task.Yield();
            return request.Respond();
        }, [new RpcParameter("n", typeof(int))]);

        var dispatcher = new RpcDispatcher();
        dispatcher.AddMethod("ping", (request, _) => new(request.Respond("pong")), []);
        await using TcpServerTransport transport = TcpServerTransport.Loopback();
        var server = new RpcServer(transport, new JsonRpcProtocol(), dispatcher);
        using var stop = new CancellationTokenSource();
        Task serving = server.ServeForeverAsync(stop.Token);
        try
        {
            await using var client = new RpcConnection(new JsonRpcProtocol(),
                await StreamClientTransport.ConnectTcpAsync("127.0.0.1", transport.LocalEndPoint.Port), callbacks);
            Assert.Equal("pong", await client.CallAsync<string>("ping").WaitAsync(Limit));
            RpcConnection toClient = Assert.Single(server.Connections);
            for (int i = 0; i < Count; i++)
            {
                await toClient.NotifyAsync("tick", [i]);
            }

            await all.Task.WaitAsync(Limit);
            lock (entered)
            {
                Assert.Equal(Enumerable.Range(0, Count), entered);
            }
        }
        finally
        {
            await stop.CancelAsync();
            await serving.WaitAsync(Limit);
        }
    }
}
