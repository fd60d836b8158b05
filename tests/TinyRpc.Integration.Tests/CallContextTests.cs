using System.Collections.Concurrent;
using System.Net;
using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Server;
using TinyRpc.Transports;

namespace TinyRpc.Integration.Tests;

/// <summary>
/// What a method sees through <see cref="RpcCallContext"/> over real TCP sockets, named pipes and in memory: the
/// request's id and name, the protocol, the connection back to its caller, the peer's address (TCP), the call's token.
/// </summary>
public sealed partial class CallContextTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    public static TheoryData<string> Transports => ["tcp", "pipe", "inmemory"];

    /// <summary>What one call's context held, read while the method ran.</summary>
    public sealed record Seen(RpcId Id, string Method, RpcProtocol? Protocol, RpcConnection? Connection, EndPoint? RemoteEndPoint,
        bool SameToken, object? TransportContext);

    [RpcService]
    public sealed partial class ContextService
    {
        public ConcurrentQueue<Seen> Calls { get; } = new();

        /// <summary>Completes when a call has been recorded.</summary>
        public TaskCompletionSource Called { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        [Public("who")]
        public async Task<string> WhoAsync(int n, RpcCallContext context, CancellationToken cancellationToken)
        {
            await Task.Yield();
            Calls.Enqueue(new Seen(context.Id, context.Method, context.Protocol, context.Connection, context.RemoteEndPoint,
                context.CancellationToken == cancellationToken, context.TransportContext));
            Called.TrySetResult();
            return "n=" + n;
        }

        [Public("ping")]
        public int Ping() => 1;

        public RpcDispatcher Dispatcher(string prefix = "")
        {
            var dispatcher = new RpcDispatcher();
            dispatcher.RegisterInstance(this, prefix);
            return dispatcher;
        }
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_method_sees_its_call(string kind)
    {
        var service = new ContextService();
        var protocol = new JsonRpcProtocol();
        (RpcServer server, object transport, Func<Task<RpcConnection>> connect) = Serve(kind, protocol, service.Dispatcher("audit."));
        using var stop = new CancellationTokenSource();
        Task serving = server.ServeForeverAsync(stop.Token);
        RpcRequest request = protocol.CreateRequest("audit.who", [3]);
        try
        {
            await using RpcConnection client = await connect();
            Assert.Equal("n=3", await client.SendAsync<string>(request).WaitAsync(Limit));
            Assert.Equal(1, await client.CallAsync<int>("audit.ping").WaitAsync(Limit));
        }
        finally
        {
            await stop.CancelAsync();
            if (transport is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync();
            }
            else
            {
                ((IDisposable)transport).Dispose();
            }

            await serving.WaitAsync(Limit);
        }

        Seen seen = Assert.Single(service.Calls);
        Assert.Equal(request.Id, seen.Id);
        Assert.Equal("audit.who", seen.Method);
        Assert.Same(protocol, seen.Protocol);
        Assert.NotNull(seen.Connection);
        Assert.True(seen.SameToken);
        Assert.NotNull(seen.TransportContext);
        if (kind == "tcp")
        {
            IPEndPoint remote = Assert.IsType<IPEndPoint>(seen.RemoteEndPoint);
            Assert.True(IPAddress.IsLoopback(remote.Address), remote.ToString());
            Assert.NotEqual(0, remote.Port);
        }
        else
        {
            Assert.Null(seen.RemoteEndPoint);
        }
    }

    [Fact]
    public async Task A_notification_has_no_id()
    {
        var service = new ContextService();
        var protocol = new JsonRpcProtocol();
        (InMemoryClientTransport left, InMemoryServerTransport right) = InMemoryTransport.CreatePair();
        var server = new RpcServer(right, protocol, service.Dispatcher());
        using var stop = new CancellationTokenSource();
        Task serving = server.ServeForeverAsync(stop.Token);
        try
        {
            await using var caller = new RpcConnection(protocol, left);
            RpcRequest notification = protocol.CreateRequest("who", [5], oneWay: true);
            await caller.SendAsync(notification).WaitAsync(Limit);
            await service.Called.Task.WaitAsync(Limit);
        }
        finally
        {
            await stop.CancelAsync();
            right.Dispose();
            await serving.WaitAsync(Limit);
        }

        Seen seen = Assert.Single(service.Calls);
        Assert.Equal(RpcId.None, seen.Id);
        Assert.Equal("who", seen.Method);
    }

    [Fact]
    public async Task A_request_handed_to_the_dispatcher_directly_has_no_protocol_or_transport()
    {
        var service = new ContextService();
        var protocol = new JsonRpcProtocol();
        RpcRequest request = protocol.ParseRequest("""{"jsonrpc":"2.0","method":"who","params":[4],"id":"x"}"""u8.ToArray()) as RpcRequest
            ?? throw new InvalidOperationException("not a request");
        using var cancel = new CancellationTokenSource();

        RpcResponse? response = await service.Dispatcher().DispatchAsync(request, cancel.Token);

        Assert.Equal("n=4", response!.GetResult<string>());
        Seen seen = Assert.Single(service.Calls);
        Assert.Equal(RpcId.FromString("x"), seen.Id);
        Assert.Null(seen.Protocol);
        Assert.Null(seen.Connection);
        Assert.Null(seen.RemoteEndPoint);
        Assert.Null(seen.TransportContext);
        Assert.True(seen.SameToken);
    }

    [Fact]
    public async Task A_method_added_one_by_one_gets_the_context_too()
    {
        // The AddMethod call is intercepted: the generated invoker supplies the context, which is not an argument.
        var dispatcher = new RpcDispatcher();
        dispatcher.AddMethod((int n, RpcCallContext context) => context.Method + ":" + n + ":" + (context.Connection is not null), "tag");
        var protocol = new JsonRpcProtocol();
        (RpcServer server, object transport, Func<Task<RpcConnection>> connect) = Serve("inmemory", protocol, dispatcher);
        using var stop = new CancellationTokenSource();
        Task serving = server.ServeForeverAsync(stop.Token);
        try
        {
            await using RpcConnection client = await connect();
            Assert.Equal("tag:2:True", await client.CallAsync<string>("tag", 2).WaitAsync(Limit));
            Assert.Equal("n", Assert.Single(dispatcher.GetMethod("tag").Parameters).Name);
        }
        finally
        {
            await stop.CancelAsync();
            ((IDisposable)transport).Dispose();
            await serving.WaitAsync(Limit);
        }
    }

    private static (RpcServer Server, object Transport, Func<Task<RpcConnection>> Connect) Serve(string kind, RpcProtocol protocol, RpcDispatcher dispatcher)
    {
        switch (kind)
        {
            case "tcp":
            {
                var transport = TcpServerTransport.Loopback();
                return (new RpcServer(transport, protocol, dispatcher), transport,
                    async () => new RpcConnection(protocol, await StreamClientTransport.ConnectTcpAsync("127.0.0.1", transport.LocalEndPoint.Port)));
            }

            case "pipe":
            {
                string name = "tinyrpc-context-" + Guid.NewGuid().ToString("N");
                var transport = new NamedPipeServerTransport(name);
                return (new RpcServer(transport, protocol, dispatcher), transport,
                    async () => new RpcConnection(protocol, await StreamClientTransport.ConnectNamedPipeAsync(name)));
            }

            default:
            {
                (InMemoryClientTransport channel, InMemoryServerTransport transport) = InMemoryTransport.CreatePair();
                return (new RpcServer(transport, protocol, dispatcher), transport, () => Task.FromResult(new RpcConnection(protocol, channel)));
            }
        }
    }
}
