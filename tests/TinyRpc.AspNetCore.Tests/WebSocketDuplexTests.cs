using Microsoft.AspNetCore.Builder;
using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Protocols.MsgPackRpc;
using TinyRpc.Server;
using TinyRpc.Tests.Duplex;
using TinyRpc.Transports;

namespace TinyRpc.AspNetCore.Tests;

/// <summary>Calls back and pushes over WebSockets served by Kestrel, for JSON-RPC and MSGPACK-RPC.</summary>
public sealed class WebSocketDuplexTests
{
    private static readonly TimeSpan Limit = KestrelHost.Limit;

    [Theory]
    [InlineData("jsonrpc")]
    [InlineData("msgpack")]
    public async Task Server_calls_back_its_caller_and_pushes_to_every_client_over_web_sockets(string protocolName)
    {
        RpcProtocol Protocol() => protocolName == "msgpack" ? new MessagePackRpcProtocol() : new JsonRpcProtocol();
        var messageType = protocolName == "msgpack" ? System.Net.WebSockets.WebSocketMessageType.Binary : System.Net.WebSockets.WebSocketMessageType.Text;
        var transport = new WebSocketServerTransport(new WebSocketServerOptions { MessageType = messageType });
        await using KestrelHost host = await KestrelHost.StartAsync(app =>
        {
            app.UseWebSockets();
            app.MapTinyRpcWebSocket(transport);
        });
        var chat = new ChatServer();
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterInstance(chat);
        var server = new RpcServer(transport, Protocol(), dispatcher);
        chat.Room = () => server.Connections;
        using var stop = new CancellationTokenSource();
        Task serving = server.ServeForeverAsync(stop.Token);

        var ann = new ChatClient("ann");
        var bob = new ChatClient("bob");
        await using (var annConnection = new RpcConnection(Protocol(), await WebSocketClientTransport.ConnectAsync(host.Ws("/ws"), messageType), ann.Dispatcher()))
        await using (var bobConnection = new RpcConnection(Protocol(), await WebSocketClientTransport.ConnectAsync(host.Ws("/ws"), messageType), bob.Dispatcher()))
        {
            IChatServer annServer = annConnection.GetProxy<IChatServer>();
            IChatServer bobServer = bobConnection.GetProxy<IChatServer>();
            await annServer.JoinAsync("ann");
            await bobServer.JoinAsync("bob");

            string[] answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => (i % 2 == 0 ? annServer : bobServer).AskBackAsync($"q{i}"))).WaitAsync(Limit);
            Assert.Equal(Enumerable.Range(0, 20).Select(i => $"{(i % 2 == 0 ? "ann" : "bob")} answers q{i}"), answers);

            Assert.Equal(2, await annServer.SayAsync("hi all"));
            Assert.Equal("ann: hi all", await ann.NextHeardAsync(Limit));
            Assert.Equal("ann: hi all", await bob.NextHeardAsync(Limit));

            foreach (RpcConnection connection in server.Connections)
            {
                await connection.GetProxy<IChatClient>().HeardAsync("server", "tick");
            }

            Assert.Equal("server: tick", await ann.NextHeardAsync(Limit));
            Assert.Equal("server: tick", await bob.NextHeardAsync(Limit));
        }

        await stop.CancelAsync();
        await serving.WaitAsync(Limit);
    }
}
