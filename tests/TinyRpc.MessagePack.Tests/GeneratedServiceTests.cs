using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Server;
using TinyRpc.Transports;

namespace TinyRpc.MessagePack.Tests;

/// <summary>The same generated dispatch table and typed proxy over JSON-RPC and MSGPACK-RPC.</summary>
public class GeneratedServiceTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    /// <summary>A server of <paramref name="catalog"/> with <paramref name="protocol"/>, and a client that speaks it.</summary>
    private sealed class Connection : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new(Limit);
        private readonly InMemoryClientTransport _transport;
        private readonly Task _serving;

        public Connection(Func<RpcProtocol> protocol, Catalog catalog)
        {
            var dispatcher = new RpcDispatcher();
            dispatcher.RegisterInstance(catalog);
            (_transport, InMemoryServerTransport serverTransport) = InMemoryTransport.CreatePair();
            _serving = new RpcServer(serverTransport, protocol(), dispatcher).ServeForeverAsync(_stop.Token);
            Client = new RpcClient(protocol(), _transport);
        }

        public RpcClient Client { get; }

        public async ValueTask DisposeAsync()
        {
            await Client.DisposeAsync();
            _transport.Dispose();
            await _serving.WaitAsync(Limit);
            _stop.Dispose();
        }
    }

    private static readonly Func<RpcProtocol>[] BothProtocols =
    [
        () => new JsonRpcProtocol(),
        TestProtocols.WithResolver,
    ];

    [Fact]
    public async Task One_typed_proxy_talks_to_the_same_service_over_both_protocols()
    {
        var answers = new List<string>();
        foreach (Func<RpcProtocol> protocol in BothProtocols)
        {
            var catalog = new Catalog();
            await using var connection = new Connection(protocol, catalog);
            ICatalog proxy = connection.Client.GetProxy<ICatalog>();
            string name = connection.Client.Protocol.Name;

            await CatalogAssert.CommonCallsAsync(proxy, "one way", () => catalog.FirstRecorded);
            Assert.Equal("Hello, Ann", await proxy.GreetAsync("Ann"));
            Assert.Equal("Hi, Dr. Ann", await proxy.GreetAsync("Ann", "Dr.", "Hi"));
            Assert.Equal(new Point(11, 22), await proxy.MoveAsync(new Point(1, 2), 10, 20));
            Assert.Equal(10, await proxy.SumAsync(1, 2, 3, 4));
            Assert.Equal(0, await proxy.SumAsync());
            Assert.Equal("a-b-c", await proxy.JoinAsync("-", "a", "b", "c"));
            Assert.Equal("", await proxy.JoinAsync("-"));
            // Many calls outstanding at once, matched by id.
            int[] sums = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => proxy.AddAsync(i, 1)));
            Assert.Equal(Enumerable.Range(1, 100), sums);
            answers.Add(name);
        }

        Assert.Equal(["jsonrpc", "msgpackrpc"], answers);
    }

    [Fact]
    public async Task Typed_proxies_throw_error_replies_over_both_protocols()
    {
        foreach (Func<RpcProtocol> protocol in BothProtocols)
        {
            await using var connection = new Connection(protocol, new Catalog());
            RpcClient client = connection.Client;
            ICatalog wrong = client.GetProxy<ICatalog>("wrong.");

            // A method with a result, one without, and the untyped call without a result.
            Assert.Equal(RpcErrorCodes.MethodNotFound, (await Assert.ThrowsAnyAsync<RpcException>(() => wrong.AddAsync(1, 2))).Code);
            Assert.Equal(RpcErrorCodes.MethodNotFound, (await Assert.ThrowsAnyAsync<RpcException>(() => wrong.NothingAsync())).Code);
            Assert.Equal(RpcErrorCodes.MethodNotFound, (await Assert.ThrowsAnyAsync<RpcException>(() => client.CallAsync("wrong.nothing"))).Code);
            Assert.Equal(99, (await Assert.ThrowsAnyAsync<RpcException>(() => client.GetProxy<ICatalog>().ReverseStringAsync("abba"))).Code);

            // The same with the protocol returning errors: calls have nowhere to return them, so they still throw.
            client.Protocol.RaisesErrors = false;
            Assert.Equal(RpcErrorCodes.MethodNotFound, (await Assert.ThrowsAnyAsync<RpcException>(() => wrong.NothingAsync())).Code);
            Assert.Equal(RpcErrorCodes.MethodNotFound, (await Assert.ThrowsAnyAsync<RpcException>(() => client.CallAsync("wrong.nothing"))).Code);
            Assert.Equal(RpcErrorCodes.MethodNotFound, (await Assert.ThrowsAnyAsync<RpcException>(() => wrong.AddAsync(1, 2))).Code);
        }
    }

    [Fact]
    public async Task Defaults_fill_missing_trailing_arguments_over_both_protocols()
    {
        foreach (Func<RpcProtocol> protocol in BothProtocols)
        {
            await using var connection = new Connection(protocol, new Catalog());
            RpcClient client = connection.Client;
            Assert.Equal("Hello, Ann", await client.CallAsync<string>("greet", "Ann"));
            Assert.Equal("Hello, Dr. Ann", await client.CallAsync<string>("greet", "Ann", "Dr."));
            Assert.Equal("Hello, Ann", await client.CallAsync<string>("greet", "Ann", null));

            RpcException missing = await Assert.ThrowsAnyAsync<RpcException>(() => client.CallAsync<string>("greet"));
            Assert.Equal(RpcErrorCodes.InvalidParams, missing.Code);
        }
    }

    [Fact]
    public async Task Errors_keep_their_codes_over_both_protocols()
    {
        foreach (Func<RpcProtocol> protocol in BothProtocols)
        {
            await using var connection = new Connection(protocol, new Catalog());
            RpcClient client = connection.Client;

            RpcException wrongType = await Assert.ThrowsAnyAsync<RpcException>(() => client.CallAsync<int>("add", "x", 1));
            Assert.Equal(RpcErrorCodes.InvalidParams, wrongType.Code);
            Assert.Contains("'a'", wrongType.Message, StringComparison.Ordinal);

            RpcException missing = await Assert.ThrowsAnyAsync<RpcException>(() => client.CallAsync<int>("add", 1));
            Assert.Equal(RpcErrorCodes.InvalidParams, missing.Code);
            Assert.Contains("'b'", missing.Message, StringComparison.Ordinal);

            RpcException notFound = await Assert.ThrowsAnyAsync<RpcException>(() => client.CallAsync<int>("subtract", 1, 2));
            Assert.Equal(RpcErrorCodes.MethodNotFound, notFound.Code);
        }
    }

    [Fact]
    public async Task Named_arguments_work_over_json_rpc_and_are_refused_by_msgpack_rpc()
    {
        var kwargs = new Dictionary<string, object?> { ["name"] = "Ann", ["greeting"] = "Hi" };

        await using (var json = new Connection(() => new JsonRpcProtocol(), new Catalog()))
        {
            Assert.Equal("Hi, Ann", await json.Client.CallAsync<string>("greet", kwargs: kwargs));
        }

        await using var msgpack = new Connection(TestProtocols.WithResolver, new Catalog());
        MessagePackRpcInvalidRequestException error = await Assert.ThrowsAsync<MessagePackRpcInvalidRequestException>(
            () => msgpack.Client.CallAsync<string>("greet", kwargs: kwargs));
        Assert.Equal(RpcErrorCodes.InvalidRequest, error.Code);
        Assert.Equal("Hello, Ann", await msgpack.Client.CallAsync<string>("greet", "Ann"));
    }
}
