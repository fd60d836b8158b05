using NetMQ;
using NetMQ.Sockets;
using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Server;
using TinyRpc.Tests.Duplex;
using TinyRpc.Transports;

namespace TinyRpc.NetMQ.Tests;

/// <summary>
/// A ZeroMQ ROUTER server that calls back and pushes to its DEALER clients, each an <see cref="RpcConnection"/> over
/// <see cref="ZmqDealerClientTransport"/> serving the server's calls, while REQ clients are served as before.
/// </summary>
public sealed class ZmqDuplexTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    /// <summary>A <see cref="ChatServer"/> on a ROUTER socket on a free loopback port, serving until disposed.</summary>
    private sealed class ChatRouter : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _serving;

        public ChatRouter(IRpcDispatcher? dispatcher = null)
        {
            Transport = ZmqServerTransport.Create("tcp://127.0.0.1:*");
            var chat = new ChatServer();
            if (dispatcher is null)
            {
                var chatDispatcher = new RpcDispatcher();
                chatDispatcher.RegisterInstance(chat);
                dispatcher = chatDispatcher;
            }

            Server = new RpcServer(Transport, Protocol, dispatcher);
            chat.Room = () => Server.Connections;
            _serving = Server.ServeForeverAsync(_stop.Token);
        }

        public static JsonRpcProtocol Protocol { get; } = new();

        public ZmqServerTransport Transport { get; }

        public RpcServer Server { get; }

        public string Endpoint => Transport.Endpoint!;

        public RpcConnection Connect(IRpcDispatcher dispatcher) => new(Protocol, ZmqDealerClientTransport.Create(Endpoint), dispatcher);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            Transport.Dispose();
            await _serving.WaitAsync(Limit);
            _stop.Dispose();
        }
    }

    [Fact]
    public async Task A_server_method_calls_back_the_DEALER_client_that_called_it()
    {
        await using var router = new ChatRouter();
        var ann = new ChatClient("ann");
        var bob = new ChatClient("bob");
        await using RpcConnection annConnection = router.Connect(ann.Dispatcher());
        await using RpcConnection bobConnection = router.Connect(bob.Dispatcher());
        IChatServer annServer = annConnection.GetProxy<IChatServer>();
        IChatServer bobServer = bobConnection.GetProxy<IChatServer>();

        // Many at once (fewer than the server's MaxConcurrency, as each holds a slot until its call back is answered),
        // both clients: each answer comes from the client that asked.
        Task<string>[] asked = [.. Enumerable.Range(0, 50).Select(i => (i % 2 == 0 ? annServer : bobServer).AskBackAsync($"q{i}"))];
        string[] answers = await Task.WhenAll(asked).WaitAsync(Limit);
        for (int i = 0; i < answers.Length; i++)
        {
            Assert.Equal($"{(i % 2 == 0 ? "ann" : "bob")} answers q{i}", answers[i]);
        }
    }

    [Fact]
    public async Task The_server_pushes_to_every_connected_DEALER_client_and_REQ_clients_keep_working()
    {
        await using var router = new ChatRouter();
        string[] names = ["ann", "bob", "cy"];
        ChatClient[] clients = [.. names.Select(static name => new ChatClient(name))];
        var connections = new List<RpcConnection>();
        for (int i = 0; i < clients.Length; i++)
        {
            RpcConnection connection = router.Connect(clients[i].Dispatcher());
            connections.Add(connection);
            Assert.Equal(i + 1, await connection.GetProxy<IChatServer>().JoinAsync(names[i]).WaitAsync(Limit));
        }

        // A REQ client is served, but it is not one of the connections the server can call: a message of the
        // server's would be taken by the REQ socket as the reply to its next request.
        await using var req = new RpcClient(ChatRouter.Protocol, ZmqClientTransport.Create(router.Endpoint));
        IChatServer reqServer = req.GetProxy<IChatServer>();
        Assert.Equal(4, await reqServer.JoinAsync("req").WaitAsync(Limit));
        Assert.Equal(3, router.Server.Connections.Count);

        Assert.Equal(3, await reqServer.SayAsync("hello").WaitAsync(Limit));
        foreach (ChatClient client in clients)
        {
            Assert.Equal("req: hello", await client.NextHeardAsync(Limit));
        }

        Assert.Equal(3, await connections[1].GetProxy<IChatServer>().SayAsync("hi").WaitAsync(Limit));
        foreach (ChatClient client in clients)
        {
            Assert.Equal("bob: hi", await client.NextHeardAsync(Limit));
        }

        // The server pushes on its own too, not only while serving a request.
        foreach (RpcConnection connection in router.Server.Connections)
        {
            await connection.NotifyAsync("heard", ["server", "tick"]);
        }

        foreach (ChatClient client in clients)
        {
            Assert.Equal("server: tick", await client.NextHeardAsync(Limit));
        }

        // Calling the REQ client back fails clearly, and its exchanges stay in step.
        RpcException refused = await Assert.ThrowsAnyAsync<RpcException>(() => reqServer.AskBackAsync("you?").WaitAsync(Limit));
        Assert.DoesNotContain("answers", refused.Message, StringComparison.Ordinal);
        Assert.Equal(3, await reqServer.SayAsync("still here").WaitAsync(Limit));
        foreach (ChatClient client in clients)
        {
            Assert.Equal("req: still here", await client.NextHeardAsync(Limit));
        }

        // A DEALER client that leaves is no longer one of the server's connections.
        await connections[0].DisposeAsync();
        await WaitUntilAsync(() => router.Server.Connections.Count == 2);
        Assert.Equal(2, await connections[2].GetProxy<IChatServer>().SayAsync("bye").WaitAsync(Limit));
        foreach (RpcConnection connection in connections.Skip(1))
        {
            await connection.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_call_back_to_a_DEALER_client_that_leaves_fails_instead_of_hanging()
    {
        var dispatcher = new RpcDispatcher();
        var asked = new TaskCompletionSource<Task<string>>(TaskCreationOptions.RunContinuationsAsynchronously);
        dispatcher.AddMethod("ask_later", (request, _) =>
        {
            // The call back starts, then the method returns at once: the client is still connected.
            asked.SetResult(RpcConnection.Of(request)!.CallAsync<string>("never_answered", null, null, CancellationToken.None));
            return new(request.Respond(true));
        });
        await using var router = new ChatRouter(dispatcher);

        var silent = new RpcDispatcher();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        silent.AddMethod("never_answered", async (request, _) =>
        {
            // Not even an error reply on the way out: the client just goes.
            entered.SetResult();
            await release.Task;
            return request.Respond("too late");
        });
        RpcConnection client = router.Connect(silent);
        Assert.True(await client.CallAsync<bool>("ask_later").WaitAsync(Limit));
        Task<string> callBack = await asked.Task.WaitAsync(Limit);
        await entered.Task.WaitAsync(Limit);
        Assert.Single(router.Server.Connections);
        await client.DisposeAsync();

        await Assert.ThrowsAsync<RpcTransportException>(() => callBack.WaitAsync(Limit));
        await WaitUntilAsync(() => router.Server.Connections.Count == 0);
        release.SetResult();
    }

    [Fact]
    public async Task A_libzmq_DEALER_with_the_duplex_identity_is_called_back()
    {
        await using var router = new ChatRouter();
        await using var python = PeerProcess.StartPython("raw_dealer_peer.py", router.Endpoint, "q1");
        Assert.Equal("python answers q1", await python.ReadLineAsync());
        Assert.Equal(0, await python.WaitForExitAsync());
    }

    [Fact]
    public async Task Messages_of_one_peer_share_a_context_and_peers_that_cannot_be_called_are_forgotten_when_idle()
    {
        using ZmqServerTransport transport = ZmqServerTransport.Create("tcp://127.0.0.1:*");
        transport.PeerIdleTimeout = TimeSpan.FromMilliseconds(300);
        IDuplexServerTransport duplex = transport;

        using var dealer = ZmqDealerClientTransport.Create(transport.Endpoint!);
        await dealer.SendAsync("one"u8.ToArray());
        await dealer.SendAsync("two"u8.ToArray());
        RpcInboundMessage first = (await transport.ReceiveMessageAsync().AsTask().WaitAsync(Limit))!.Value;
        RpcInboundMessage second = (await transport.ReceiveMessageAsync().AsTask().WaitAsync(Limit))!.Value;
        Assert.Equal("one", System.Text.Encoding.UTF8.GetString(first.Message.Span));
        Assert.Same(first.Context, second.Context);
        object dealerPeer = first.Context!;
        Assert.Same(dealerPeer, Assert.Single(duplex.Peers));

        // The server's own message reaches the DEALER, framed as a reply; the empty checks of its presence do not.
        await duplex.SendToPeerAsync(dealerPeer, "pushed"u8.ToArray());
        Assert.Equal("pushed", System.Text.Encoding.UTF8.GetString((await dealer.ReceiveAsync().AsTask().WaitAsync(Limit))!.Value.Span));

        // A REQ peer and a DEALER without TinyRpc's identity are answered, but not listed and not called.
        using var req = new RequestSocket(transport.Endpoint);
        req.SendFrame("from req");
        RpcInboundMessage fromReq = (await transport.ReceiveMessageAsync().AsTask().WaitAsync(Limit))!.Value;
        using var plain = new DealerSocket(transport.Endpoint);
        plain.SendMoreFrameEmpty().SendFrame("from plain dealer");
        RpcInboundMessage fromPlain = (await transport.ReceiveMessageAsync().AsTask().WaitAsync(Limit))!.Value;
        Assert.Same(dealerPeer, Assert.Single(duplex.Peers));
        foreach (object context in new[] { fromReq.Context!, fromPlain.Context! })
        {
            RpcTransportException refused = await Assert.ThrowsAsync<RpcTransportException>(() => duplex.SendToPeerAsync(context, "no"u8.ToArray()).AsTask());
            Assert.Contains(ZmqServerTransport.DuplexIdentityPrefix, refused.Message, StringComparison.Ordinal);
        }

        // A longer envelope (as from behind a proxy) is answered, but each message gets a context of its own, gone at once.
        plain.SendMoreFrame("hop").SendMoreFrameEmpty().SendFrame("proxied 1");
        RpcInboundMessage proxied1 = (await transport.ReceiveMessageAsync().AsTask().WaitAsync(Limit))!.Value;
        plain.SendMoreFrame("hop").SendMoreFrameEmpty().SendFrame("proxied 2");
        RpcInboundMessage proxied2 = (await transport.ReceiveMessageAsync().AsTask().WaitAsync(Limit))!.Value;
        Assert.NotSame(proxied1.Context, proxied2.Context);
        Assert.True(duplex.GetPeerClosed(proxied1.Context!).IsCancellationRequested);
        await transport.SendReplyAsync(proxied2.Context, "to the hop"u8.ToArray());
        NetMQMessage? routed = null;
        Assert.True(plain.TryReceiveMultipartMessage(Limit, ref routed));
        Assert.Equal(["hop", "", "to the hop"], routed.Select(static frame => frame.ConvertToString()));

        await transport.SendReplyAsync(fromReq.Context, "reply"u8.ToArray());
        Assert.True(req.TryReceiveFrameString(Limit, out string? reply));
        Assert.Equal("reply", reply);

        // Idle past PeerIdleTimeout, the REQ peer is forgotten and its next message comes with a new context.
        await WaitCancelledAsync(duplex.GetPeerClosed(fromReq.Context!));
        await WaitCancelledAsync(duplex.GetPeerClosed(fromPlain.Context!));
        transport.PeerIdleTimeout = Timeout.InfiniteTimeSpan; // so that the new context cannot go before it is looked at
        req.SendFrame("again");
        RpcInboundMessage again = (await transport.ReceiveMessageAsync().AsTask().WaitAsync(Limit))!.Value;
        Assert.NotSame(fromReq.Context, again.Context);
        Assert.False(duplex.GetPeerClosed(again.Context!).IsCancellationRequested);

        // The DEALER, however idle, stays until it goes; then it is forgotten and cannot be sent to.
        Assert.False(duplex.GetPeerClosed(dealerPeer).IsCancellationRequested);
        dealer.Dispose();
        await WaitCancelledAsync(duplex.GetPeerClosed(dealerPeer));
        Assert.Empty(duplex.Peers);
        await Assert.ThrowsAsync<RpcTransportException>(() => duplex.SendToPeerAsync(dealerPeer, "late"u8.ToArray()).AsTask());
    }

    private static async Task WaitCancelledAsync(CancellationToken token)
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using CancellationTokenRegistration registration = token.Register(cancelled.SetResult);
        await cancelled.Task.WaitAsync(Limit, CancellationToken.None);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Limit);
        while (!condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }
}
