using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using TinyRpc.Client;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Server;
using TinyRpc.Transports;

namespace TinyRpc.AspNetCore.Tests;

/// <summary>How long a WebSocket lives on <see cref="WebSocketServerTransport"/>: idle sockets and clients that vanish. Kestrel on loopback.</summary>
public sealed class WebSocketLifetimeTests
{
    private static async Task<(KestrelHost Host, WebSocketServerTransport Transport, Task Serving)> StartAsync(
        TestService service, WebSocketServerOptions? options, CancellationToken stop)
    {
        var transport = new WebSocketServerTransport(options);
        KestrelHost host = await KestrelHost.StartAsync(app =>
        {
            app.UseWebSockets();
            app.MapTinyRpcWebSocket(transport);
        });
        var server = new RpcServer(transport, new JsonRpcProtocol(), TestService.CreateDispatcher(service));
        return (host, transport, server.ServeForeverAsync(stop));
    }

    private static async Task WaitForConnectionsAsync(WebSocketServerTransport transport, int count)
    {
        using var timeout = new CancellationTokenSource(KestrelHost.Limit);
        while (transport.ConnectionCount != count)
        {
            await Task.Delay(20, timeout.Token);
        }
    }

    [Fact]
    public async Task An_idle_socket_is_closed_and_one_with_a_call_in_flight_is_not()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new WebSocketServerTransport(new WebSocketServerOptions { IdleTimeout = TimeSpan.Zero }));
        var service = new TestService();
        using var stop = new CancellationTokenSource();
        (KestrelHost host, WebSocketServerTransport transport, Task serving) =
            await StartAsync(service, new WebSocketServerOptions { IdleTimeout = TimeSpan.FromMilliseconds(300) }, stop.Token);
        await using (host)
        {
            // The busy client's call runs until the gate opens. Its socket may go idle before the call arrives on a
            // slow machine: then it is closed and the client tries again.
            WebSocketClientTransport? busySocket = null;
            RpcClient? busy = null;
            Task<string>? waiting = null;
            for (int attempt = 0; attempt < 20 && waiting is null; attempt++)
            {
                busySocket = await WebSocketClientTransport.ConnectAsync(host.Ws("/ws"));
                busy = new RpcClient(new JsonRpcProtocol(), busySocket) { Timeout = KestrelHost.Limit };
                Task<string> call = busy.CallAsync<string>("wait_gate");
                Task started = await Task.WhenAny(service.GateEntered.Task, call).WaitAsync(KestrelHost.Limit);
                if (started == call)
                {
                    await busy.DisposeAsync();
                    continue;
                }

                waiting = call;
            }

            Assert.NotNull(waiting);
            await using RpcClient busyClient = busy!;

            // The silent client connects and says nothing: the server closes it, and the busy socket stays.
            using var silent = new ClientWebSocket();
            await silent.ConnectAsync(host.Ws("/ws"), CancellationToken.None).WaitAsync(KestrelHost.Limit);
            ValueWebSocketReceiveResult closing = await silent.ReceiveAsync(new byte[1024].AsMemory(), CancellationToken.None).AsTask().WaitAsync(KestrelHost.Limit);
            Assert.Equal(WebSocketMessageType.Close, closing.MessageType);
            Assert.Equal((WebSocketCloseStatus.NormalClosure, "idle timeout"), (silent.CloseStatus, silent.CloseStatusDescription));
            await silent.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None).WaitAsync(KestrelHost.Limit);
            await WaitForConnectionsAsync(transport, 1);
            Assert.False(waiting.IsCompleted);

            // Its reply comes; then that socket is idle in turn and closed.
            service.OpenGate();
            Assert.Equal("passed", await waiting.WaitAsync(KestrelHost.Limit));
            await WaitForConnectionsAsync(transport, 0);

            await using var fresh = new RpcClient(new JsonRpcProtocol(), await WebSocketClientTransport.ConnectAsync(host.Ws("/ws"))) { Timeout = KestrelHost.Limit };
            Assert.Equal(5, await fresh.CallAsync<int>("add", 2, 3));
            await stop.CancelAsync();
        }

        await serving.WaitAsync(KestrelHost.Limit);
    }

    [Fact]
    public async Task Clients_that_vanish_with_calls_in_flight_leave_nothing_behind()
    {
        var service = new TestService();
        using var stop = new CancellationTokenSource();
        (KestrelHost host, WebSocketServerTransport transport, Task serving) = await StartAsync(service, null, stop.Token);
        await using (host)
        {
            // Ten clients, each with five calls the server is working on (fifty of its 64 dispatch slots), abort their
            // sockets without a close.
            for (int c = 0; c < 10; c++)
            {
                var socket = new ClientWebSocket();
                await socket.ConnectAsync(host.Ws("/ws"), CancellationToken.None).WaitAsync(KestrelHost.Limit);
                for (int i = 0; i < 5; i++)
                {
                    byte[] request = Encoding.UTF8.GetBytes($$"""{"jsonrpc":"2.0","method":"wait_gate","id":{{i}}}""");
                    await socket.SendAsync(request, WebSocketMessageType.Text, true, CancellationToken.None).WaitAsync(KestrelHost.Limit);
                }

                using (var timeout = new CancellationTokenSource(KestrelHost.Limit))
                {
                    while (service.GateCalls < (c + 1) * 5)
                    {
                        await Task.Delay(10, timeout.Token);
                    }
                }

                socket.Abort();
                socket.Dispose();
            }

            await WaitForConnectionsAsync(transport, 0);

            // The calls still running finish with nobody to answer; the server carries on and serves a new client.
            service.OpenGate();
            await using var fresh = new RpcClient(new JsonRpcProtocol(), await WebSocketClientTransport.ConnectAsync(host.Ws("/ws"))) { Timeout = KestrelHost.Limit };
            Assert.Equal(5, await fresh.CallAsync<int>("add", 2, 3));
            Assert.Equal("passed", await fresh.CallAsync<string>("wait_gate"));
            Assert.False(serving.IsCompleted);
            await stop.CancelAsync();
        }

        await serving.WaitAsync(KestrelHost.Limit);
    }
}
