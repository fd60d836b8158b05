using System.IO.Pipelines;
using System.Net;
using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Server;
using TinyRpc.Tests.Duplex;
using TinyRpc.Transports;

namespace TinyRpc.Integration.Tests;

/// <summary>
/// One connection that calls and serves: a server method calls back the client that called it and pushes to every
/// client, through generated proxies of a callback interface that the clients serve with their own dispatchers.
/// </summary>
public class DuplexTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    public static TheoryData<string> Transports => ["inmemory", "tcp", "pipe"];

    /// <summary>A server of <see cref="ChatServer"/> over <paramref name="kind"/>, and a way to connect clients to it.</summary>
    private static async Task<(RpcServer Server, Func<ChatClient, Task<RpcConnection>> Connect, IAsyncDisposable Stop)> StartAsync(string kind)
    {
        var chat = new ChatServer();
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterInstance(chat);
        var protocol = new JsonRpcProtocol();
        switch (kind)
        {
            case "inmemory":
            {
                // One client per pair: each connect makes a pair and a server of its own over the same service.
                var stop = new Stopper();
                return (null!, client =>
                {
                    (InMemoryClientTransport channel, InMemoryServerTransport transport) = InMemoryTransport.CreatePair();
                    var server = new RpcServer(transport, protocol, dispatcher);
                    stop.Add(server.ServeForeverAsync(stop.Token), transport);
                    return Task.FromResult(new RpcConnection(protocol, channel, client.Dispatcher()));
                }, stop);
            }

            case "tcp":
            {
                var transport = TcpServerTransport.Loopback();
                var server = new RpcServer(transport, protocol, dispatcher);
                chat.Room = () => server.Connections;
                var stop = new Stopper();
                stop.Add(server.ServeForeverAsync(stop.Token), transport);
                int port = transport.LocalEndPoint.Port;
                return (server, async client => new RpcConnection(protocol, await StreamClientTransport.ConnectTcpAsync("127.0.0.1", port), client.Dispatcher()), stop);
            }

            default:
            {
                string name = "tinyrpc-duplex-" + Guid.NewGuid().ToString("N");
                var transport = new NamedPipeServerTransport(name);
                var server = new RpcServer(transport, protocol, dispatcher);
                chat.Room = () => server.Connections;
                var stop = new Stopper();
                stop.Add(server.ServeForeverAsync(stop.Token), transport);
                return (server, async client => new RpcConnection(protocol, await StreamClientTransport.ConnectNamedPipeAsync(name), client.Dispatcher()), stop);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_server_method_calls_back_the_client_that_called_it(string kind)
    {
        (_, Func<ChatClient, Task<RpcConnection>> connect, IAsyncDisposable stop) = await StartAsync(kind);
        await using (stop)
        {
            var ann = new ChatClient("ann");
            var bob = new ChatClient("bob");
            await using RpcConnection annConnection = await connect(ann);
            await using RpcConnection bobConnection = await connect(bob);
            IChatServer annServer = annConnection.GetProxy<IChatServer>();
            IChatServer bobServer = bobConnection.GetProxy<IChatServer>();

            // Many at once, both clients: each answer comes from the client that asked.
            Task<string>[] asked = [.. Enumerable.Range(0, 50).Select(i => (i % 2 == 0 ? annServer : bobServer).AskBackAsync($"q{i}"))];
            string[] answers = await Task.WhenAll(asked).WaitAsync(Limit);
            for (int i = 0; i < answers.Length; i++)
            {
                Assert.Equal($"{(i % 2 == 0 ? "ann" : "bob")} answers q{i}", answers[i]);
            }
        }
    }

    [Fact]
    public async Task A_server_that_stops_serving_ends_the_connections_it_made_and_their_calls_fail_at_once()
    {
        var transport = TcpServerTransport.Loopback();
        var server = new RpcServer(transport, new JsonRpcProtocol(), new RpcDispatcher());
        using var stop = new CancellationTokenSource();
        Task serving = server.ServeForeverAsync(stop.Token);
        await using (transport)
        {
            var silent = new RpcDispatcher();
            var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            silent.AddMethod("never_answered", async (request, ct) =>
            {
                entered.SetResult();
                await Task.Delay(Timeout.Infinite, ct);
                return request.Respond("too late");
            });
            await using RpcConnection client = new(new JsonRpcProtocol(), await StreamClientTransport.ConnectTcpAsync("127.0.0.1", transport.LocalEndPoint.Port), silent);
            await client.NotifyAsync("hello"); // the server knows a client by its first message
            await WaitUntilAsync(() => server.Connections.Count == 1);
            RpcConnection serverSide = server.Connections[0];
            Task<string> callBack = serverSide.CallAsync<string>("never_answered");
            await entered.Task.WaitAsync(Limit);

            // The transport stays open: only the server stops.
            await stop.CancelAsync();
            await serving.WaitAsync(Limit);

            await Assert.ThrowsAsync<RpcTransportException>(() => callBack.WaitAsync(Limit));
            Assert.Empty(server.Connections);
            await serverSide.Completion.WaitAsync(Limit);
        }
    }

    [Theory]
    [InlineData("tcp")]
    [InlineData("pipe")]
    public async Task A_server_pushes_to_every_connected_client(string kind)
    {
        (RpcServer server, Func<ChatClient, Task<RpcConnection>> connect, IAsyncDisposable stop) = await StartAsync(kind);
        await using (stop)
        {
            string[] names = ["ann", "bob", "cy"];
            ChatClient[] clients = [.. names.Select(static name => new ChatClient(name))];
            var connections = new List<RpcConnection>();
            for (int i = 0; i < clients.Length; i++)
            {
                RpcConnection connection = await connect(clients[i]);
                connections.Add(connection);
                Assert.Equal(i + 1, await connection.GetProxy<IChatServer>().JoinAsync(names[i]));
            }

            Assert.Equal(3, server.Connections.Count);
            Assert.Equal(3, await connections[1].GetProxy<IChatServer>().SayAsync("hello"));
            foreach (ChatClient client in clients)
            {
                Assert.Equal("bob: hello", await client.NextHeardAsync(Limit));
            }

            // The server pushes on its own too, not only while serving a request.
            foreach (RpcConnection connection in server.Connections)
            {
                await connection.NotifyAsync("heard", ["server", "tick"]);
            }

            foreach (ChatClient client in clients)
            {
                Assert.Equal("server: tick", await client.NextHeardAsync(Limit));
            }

            // A client that leaves is no longer one of the server's connections.
            await connections[0].DisposeAsync();
            await WaitUntilAsync(() => server.Connections.Count == 2);
            Assert.Equal(2, await connections[2].GetProxy<IChatServer>().SayAsync("bye"));
            foreach (RpcConnection connection in connections.Skip(1))
            {
                await connection.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_call_back_to_a_client_that_leaves_fails_instead_of_hanging()
    {
        var dispatcher = new RpcDispatcher();
        var asked = new TaskCompletionSource<Task<string>>(TaskCreationOptions.RunContinuationsAsynchronously);
        dispatcher.AddMethod("ask_later", (request, _) =>
        {
            // The call back starts, then the method returns at once: the client is still connected.
            asked.SetResult(RpcConnection.Of(request)!.CallAsync<string>("never_answered", null, null, CancellationToken.None));
            return new(request.Respond(true));
        });
        var transport = TcpServerTransport.Loopback();
        var server = new RpcServer(transport, new JsonRpcProtocol(), dispatcher);
        var stop = new Stopper();
        stop.Add(server.ServeForeverAsync(stop.Token), transport);
        await using (stop)
        {
            var silent = new RpcDispatcher();
            var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            silent.AddMethod("never_answered", async (request, ct) =>
            {
                entered.SetResult();
                await Task.Delay(Timeout.Infinite, ct);
                return request.Respond("too late");
            });
            RpcConnection client = new(new JsonRpcProtocol(), await StreamClientTransport.ConnectTcpAsync("127.0.0.1", transport.LocalEndPoint.Port), silent);
            Assert.True(await client.CallAsync<bool>("ask_later"));
            Task<string> callBack = await asked.Task.WaitAsync(Limit);
            await entered.Task.WaitAsync(Limit);
            await client.DisposeAsync();

            RpcTransportException error = await Assert.ThrowsAsync<RpcTransportException>(() => callBack.WaitAsync(Limit));
            Assert.Contains("closed", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_connection_without_a_dispatcher_answers_calls_with_method_not_found_and_serves_over_a_stream_pair()
    {
        // Two connections over a pipe pair, neither a server: each calls the other.
        (IDuplexPipe a, IDuplexPipe b) = PipePair();
        var protocol = new JsonRpcProtocol();
        var ann = new ChatClient("ann");
        await using var left = new RpcConnection(protocol, new StreamClientTransport(new DuplexStream(a)), ann.Dispatcher());
        await using var right = new RpcConnection(protocol, new StreamClientTransport(new DuplexStream(b)));
        Assert.Equal("ann answers hi", await right.GetProxy<IChatClient>().AnswerAsync("hi"));
        RpcException missing = await Assert.ThrowsAnyAsync<RpcException>(() => left.CallAsync<string>("answer", "hi"));
        Assert.Equal(RpcErrorCodes.MethodNotFound, missing.Code);
        await right.GetProxy<IChatClient>().HeardAsync("bob", "one way");
        Assert.Equal("bob: one way", await ann.NextHeardAsync(Limit));
    }

    [Fact]
    public async Task A_server_whose_every_slot_waits_for_a_call_back_still_reads_the_replies()
    {
        var chat = new ChatServer();
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterInstance(chat);
        var transport = TcpServerTransport.Loopback();
        var server = new RpcServer(transport, new JsonRpcProtocol(), dispatcher, new RpcServerOptions { MaxConcurrency = 2 });
        var stop = new Stopper();
        stop.Add(server.ServeForeverAsync(stop.Token), transport);
        await using (stop)
        {
            var ann = new ChatClient("ann");
            await using var connection = new RpcConnection(new JsonRpcProtocol(), await StreamClientTransport.ConnectTcpAsync("127.0.0.1", transport.LocalEndPoint.Port), ann.Dispatcher());
            IChatServer proxy = connection.GetProxy<IChatServer>();

            // Twenty at once on two slots: each method holds its slot while it waits for the reply to its call back.
            string[] answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => proxy.AskBackAsync($"q{i}"))).WaitAsync(Limit);
            Assert.Equal(Enumerable.Range(0, 20).Select(static i => $"ann answers q{i}"), answers);
        }
    }

    [Fact]
    public async Task A_connection_whose_every_slot_waits_for_a_reply_still_reads_it_while_requests_wait()
    {
        (IDuplexPipe a, IDuplexPipe b) = PipePair();
        var protocol = new JsonRpcProtocol();
        int notes = 0;
        var left = new RpcDispatcher();
        left.AddMethod("note", (request, _) =>
        {
            Interlocked.Increment(ref notes);
            return new((RpcResponse?)null);
        });
        left.AddMethod("relay", async (request, ct) =>
            request.Respond(await RpcConnection.Of(request)!.CallAsync<string>("echo", ["relayed"], null, ct)));
        var right = new RpcDispatcher();
        right.AddMethod("echo", async (request, ct) =>
        {
            // Before its reply, the other side gets a request of its own, which waits there for the slot "relay" holds.
            await RpcConnection.Of(request)!.NotifyAsync("note", cancellationToken: ct);
            return request.Respond(request.Arguments.TryGet(0, "text", out string? text) ? text : null);
        }, [new RpcParameter("text", typeof(string))]);
        await using var leftConnection = new RpcConnection(protocol, new StreamClientTransport(new DuplexStream(a)), left, new RpcConnectionOptions { MaxConcurrency = 1 });
        await using var rightConnection = new RpcConnection(protocol, new StreamClientTransport(new DuplexStream(b)), right);

        Assert.Equal("relayed", await rightConnection.CallAsync<string>("relay", [], null, TestContext.Current.CancellationToken).WaitAsync(Limit, TestContext.Current.CancellationToken));
        await WaitUntilAsync(() => Volatile.Read(ref notes) == 1);
    }

    private static (IDuplexPipe A, IDuplexPipe B) PipePair()
    {
        var one = new Pipe();
        var two = new Pipe();
        return (new Duplex(one.Reader, two.Writer), new Duplex(two.Reader, one.Writer));
    }

    private sealed record Duplex(PipeReader Input, PipeWriter Output) : IDuplexPipe;

    /// <summary>A stream over one side of a pipe pair, for a channel between two connections in one process.</summary>
    private sealed class DuplexStream(IDuplexPipe pipe) : Stream
    {
        private readonly Stream _input = pipe.Input.AsStream();
        private readonly Stream _output = pipe.Output.AsStream();

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => _output.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => _output.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => _input.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _input.ReadAsync(buffer, cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => _output.Write(buffer, offset, count);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => _output.WriteAsync(buffer, cancellationToken);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _input.Dispose();
                _output.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Limit);
        while (!condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }

    /// <summary>Stops servers and disposes their transports.</summary>
    private sealed class Stopper : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly List<(Task Serving, object Transport)> _running = [];

        public CancellationToken Token => _stop.Token;

        public void Add(Task serving, object transport) => _running.Add((serving, transport));

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            foreach ((Task serving, object transport) in _running)
            {
                switch (transport)
                {
                    case IAsyncDisposable asyncDisposable:
                        await asyncDisposable.DisposeAsync();
                        break;
                    case IDisposable disposable:
                        disposable.Dispose();
                        break;
                }

                await serving.WaitAsync(Limit);
            }

            _stop.Dispose();
        }
    }
}
