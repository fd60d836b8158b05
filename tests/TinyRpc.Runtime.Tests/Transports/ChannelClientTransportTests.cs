using System.Text;
using TinyRpc.Client;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Server;
using TinyRpc.Transports;

namespace TinyRpc.Tests.Transports;

/// <summary>Request/reply over a duplex channel, one exchange at a time.</summary>
public class ChannelClientTransportTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Exchanges_take_turns_and_each_gets_its_own_reply()
    {
        (InMemoryClientTransport channel, InMemoryServerTransport server) = InMemoryTransport.CreatePair();
        Task serving = new RpcServer(server, new JsonRpcProtocol(), ClientServerTests.CreateDispatcher()).ServeForeverAsync(TestContext.Current.CancellationToken);
        await using (var transport = new ChannelClientTransport(channel))
        {
            Task<ReadOnlyMemory<byte>>[] exchanges = Enumerable.Range(0, 50).Select(i => transport.SendMessageAsync(
                Encoding.UTF8.GetBytes($$"""{"jsonrpc":"2.0","method":"subtract","params":[{{i}},-1],"id":{{i}}}"""), cancellationToken: TestContext.Current.CancellationToken).AsTask()).ToArray();
            string[] replies = (await Task.WhenAll(exchanges).WaitAsync(Limit, TestContext.Current.CancellationToken)).Select(static r => Encoding.UTF8.GetString(r.Span)).ToArray();
            for (int i = 0; i < replies.Length; i++)
            {
                Assert.Equal($$"""{"jsonrpc":"2.0","id":{{i}},"result":{{i + 1}}}""", replies[i]);
            }

            Assert.True((await transport.SendMessageAsync("""{"jsonrpc":"2.0","method":"subtract","params":[1,1]}"""u8.ToArray(), expectReply: false, TestContext.Current.CancellationToken)).IsEmpty);
        }

        await serving.WaitAsync(Limit, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task An_exchange_abandoned_before_its_reply_closes_the_channel_so_no_later_exchange_gets_a_stale_reply()
    {
        (InMemoryClientTransport channel, InMemoryServerTransport server) = InMemoryTransport.CreatePair();
        await using var transport = new ChannelClientTransport(channel);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        Task<ReadOnlyMemory<byte>> first = transport.SendMessageAsync("first"u8.ToArray(), cancellationToken: cancel.Token).AsTask();

        // The first message reached the server; its caller gives up before the reply, which comes late.
        RpcInboundMessage received = (await server.ReceiveMessageAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Limit, TestContext.Current.CancellationToken))!.Value;
        Assert.Equal("first", Encoding.UTF8.GetString(received.Message.Span));
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.WaitAsync(Limit, TestContext.Current.CancellationToken));
        await server.SendReplyAsync(received.Context, "reply to first"u8.ToArray(), TestContext.Current.CancellationToken);

        RpcTransportException error = await Assert.ThrowsAsync<RpcTransportException>(() => transport.SendMessageAsync("second"u8.ToArray(), cancellationToken: TestContext.Current.CancellationToken).AsTask().WaitAsync(Limit, TestContext.Current.CancellationToken));
        Assert.Contains("abandoned", error.Message, StringComparison.Ordinal);
        Assert.Null(await server.ReceiveMessageAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Limit, TestContext.Current.CancellationToken)); // the channel was closed
    }

    [Fact]
    public async Task A_client_over_a_channel_with_a_protocol_without_ids_takes_turns()
    {
        (InMemoryClientTransport channel, InMemoryServerTransport server) = InMemoryTransport.CreatePair();
        var protocol = new InOrderJsonRpcProtocol();
        Task serving = new RpcServer(server, protocol, ClientServerTests.CreateDispatcher()).ServeForeverAsync(TestContext.Current.CancellationToken);
        await using (var client = new RpcClient(protocol, channel) { Timeout = Limit })
        {
            Assert.IsType<ChannelClientTransport>(client.Transport);
            int[] sums = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => client.CallAsync<int>("subtract", i, -1)));
            Assert.Equal(Enumerable.Range(1, 20), sums);
            Assert.Equal(0, client.PendingCalls);
        }

        await serving.WaitAsync(Limit, TestContext.Current.CancellationToken);
    }

    /// <summary>JSON-RPC dressed as a protocol that cannot match replies by id, as some custom protocols cannot.</summary>
    private sealed class InOrderJsonRpcProtocol : RpcProtocol
    {
        private readonly JsonRpcProtocol _json = new();

        public override string Name => "in-order JSON-RPC";

        public override string ContentType => _json.ContentType;

        public override RpcRequestBuilder CreateRequestBuilder(string method, bool oneWay = false) => _json.CreateRequestBuilder(method, oneWay);

        public override RpcMessage ParseRequest(ReadOnlyMemory<byte> data) => _json.ParseRequest(data);

        public override RpcMessage ParseReply(ReadOnlyMemory<byte> data) => _json.ParseReply(data);

        public override RpcErrorResponse CreateErrorResponse(Exception exception, RpcId id = default) => _json.CreateErrorResponse(exception, id);
    }
}
