using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using TinyRpc.Client;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Protocols.MsgPackRpc;
using TinyRpc.Server;

namespace TinyRpc.AspNetCore.Tests;

/// <summary>
/// Cancellation that reaches the server over a WebSocket served by Kestrel, with a TinyRpc connection on the other
/// end: a cancelled call, a call that times out, and a client that goes away each fire the running method's token,
/// with both protocols.
/// </summary>
public sealed class WebSocketCancellationTests
{
    private static readonly TimeSpan Limit = KestrelHost.Limit;

    public static TheoryData<string> Protocols => ["json", "msgpack"];

    private static RpcProtocol Protocol(string name) => name == "json" ? new JsonRpcProtocol() : new MessagePackRpcProtocol();

    private static WebSocketMessageType MessageType(string name) => name == "json" ? WebSocketMessageType.Text : WebSocketMessageType.Binary;

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task A_cancelled_call_ends_at_once_and_its_method_sees_the_cancel(string protocol)
    {
        await using Served served = await Served.StartAsync(protocol);
        await using RpcConnection client = await served.ConnectAsync();

        using var cancel = new CancellationTokenSource();
        Task<string> call = client.CallAsync<string>("wait", null, null, cancel.Token);
        await served.Peer.Waiting.Started.WaitAsync(Limit);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(Limit));
        Assert.True(await served.Peer.Waiting.Cancelled.WaitAsync(Limit));

        // The connection goes on serving.
        Assert.Equal(5, await client.CallAsync<int>("subtract", 7, 2).WaitAsync(Limit));
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task A_call_that_times_out_cancels_its_method(string protocol)
    {
        await using Served served = await Served.StartAsync(protocol);
        await using RpcConnection client = await served.ConnectAsync();
        client.Timeout = TimeSpan.FromMilliseconds(200);

        await Assert.ThrowsAnyAsync<Exception>(() => client.CallAsync<string>("wait").WaitAsync(Limit));
        Assert.True(await served.Peer.Waiting.Cancelled.WaitAsync(Limit));
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task A_client_that_goes_away_cancels_the_method_it_left_running(string protocol)
    {
        await using Served served = await Served.StartAsync(protocol);
        RpcConnection client = await served.ConnectAsync();

        Task<string> call = client.CallAsync<string>("wait");
        await served.Peer.Waiting.Started.WaitAsync(Limit);
        await client.DisposeAsync();

        Assert.True(await served.Peer.Waiting.Cancelled.WaitAsync(Limit));
        await Assert.ThrowsAnyAsync<Exception>(() => call.WaitAsync(Limit));
    }

    private sealed class Served : IAsyncDisposable
    {
        private readonly KestrelHost _host;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _serving;
        private readonly string _protocol;

        private Served(KestrelHost host, WebSocketServerTransport transport, string protocol)
        {
            _host = host;
            _protocol = protocol;
            _serving = new RpcServer(transport, Protocol(protocol), Peer.Dispatcher()).ServeForeverAsync(_stop.Token);
        }

        public TinyRpcPeer Peer { get; } = new();

        public static async Task<Served> StartAsync(string protocol)
        {
            // MSGPACK-RPC goes in binary messages both ways: a text message must be UTF-8.
            var transport = new WebSocketServerTransport(new WebSocketServerOptions { MessageType = MessageType(protocol) });
            KestrelHost host = await KestrelHost.StartAsync(app =>
            {
                app.UseWebSockets();
                app.MapTinyRpcWebSocket(transport);
            });
            return new Served(host, transport, protocol);
        }

        public async Task<RpcConnection> ConnectAsync()
        {
            return new RpcConnection(Protocol(_protocol), await WebSocketClientTransport.ConnectAsync(_host.Ws("/ws"), MessageType(_protocol)));
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _serving.WaitAsync(Limit);
            await _host.DisposeAsync();
            _stop.Dispose();
        }
    }
}
