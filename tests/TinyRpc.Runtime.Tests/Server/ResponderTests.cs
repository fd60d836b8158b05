using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Server;
using TinyRpc.Transports;

namespace TinyRpc.Tests.Server;

/// <summary>The responder on its own, the server over any dispatcher, and the transport capabilities the server and client discover.</summary>
public class ResponderTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    private static ReadOnlyMemory<byte> Utf8(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public async Task Responder_turns_bytes_into_reply_bytes_and_traces_both_with_the_context()
    {
        var responder = new RpcResponder(new JsonRpcProtocol(), Transports.ClientServerTests.CreateDispatcher());
        var seen = new List<(string Direction, object? Context, string Message)>();
        responder.Trace = (direction, context, message) => seen.Add((direction, context, Encoding.UTF8.GetString(message.Span)));
        string call = """{"jsonrpc":"2.0","method":"subtract","params":[5,2],"id":7}""";

        RpcReply reply = await responder.RespondAsync(Utf8(call), context: "peer-1", maxReplySize: int.MaxValue, TestContext.Current.CancellationToken);

        Assert.Equal("""{"jsonrpc":"2.0","id":7,"result":3}""", Encoding.UTF8.GetString(reply.Message.Span));
        Assert.True(reply.IsOwned, "a response written by the protocol is an array of its own");
        Assert.Equal([(RpcServer.Incoming, "peer-1", call), (RpcServer.Outgoing, "peer-1", """{"jsonrpc":"2.0","id":7,"result":3}""")], seen);

        Assert.True((await responder.RespondAsync(Utf8("""{"jsonrpc":"2.0","method":"subtract","params":[5,2]}"""), TestContext.Current.CancellationToken)).IsEmpty);
        Assert.Contains("-32700", Encoding.UTF8.GetString((await responder.RespondAsync(Utf8("{"), TestContext.Current.CancellationToken)).Span), StringComparison.Ordinal);
        string batch = Encoding.UTF8.GetString((await responder.RespondAsync(Utf8("""[{"jsonrpc":"2.0","method":"subtract","params":[5,2],"id":1},{"jsonrpc":"2.0","method":"nope","id":2},5]"""), TestContext.Current.CancellationToken)).Span);
        Assert.StartsWith("""[{"jsonrpc":"2.0","id":1,"result":3},{"jsonrpc":"2.0","id":2,"error":{"code":-32601,""", batch, StringComparison.Ordinal);
        Assert.Contains("""{"jsonrpc":"2.0","id":null,"error":{"code":-32600,""", batch, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reply_too_large_for_the_transport_becomes_an_error_and_is_logged()
    {
        var logger = new FakeLogger();
        var dispatcher = new RpcDispatcher { Logger = logger };
        dispatcher.AddMethod("big", static (r, _) => new(r.Respond(new string('x', 500))));
        var responder = new RpcResponder(new JsonRpcProtocol(), dispatcher);

        RpcReply reply = await responder.RespondAsync(Utf8("""{"jsonrpc":"2.0","method":"big","id":1}"""), null, maxReplySize: 200, TestContext.Current.CancellationToken);

        string text = Encoding.UTF8.GetString(reply.Message.Span);
        Assert.Contains("\"code\":-32603", text, StringComparison.Ordinal);
        Assert.Contains("too large", text, StringComparison.Ordinal);
        FakeLogRecord record = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal(LogLevel.Warning, record.Level);
        Assert.Contains("big", record.Message, StringComparison.Ordinal);
        Assert.Contains("200", record.Message, StringComparison.Ordinal);
    }

    /// <summary>A dispatcher that is not an RpcDispatcher, as tinyrpc lets a user write: it answers every method with its own name.</summary>
    private sealed class EchoNameDispatcher : IRpcDispatcher
    {
        public int Notifications;

        public ValueTask<RpcResponse?> DispatchAsync(RpcRequest request, CancellationToken cancellationToken = default)
        {
            if (request.OneWay)
            {
                Interlocked.Increment(ref Notifications);
                return new((RpcResponse?)null);
            }

            return new(request.Respond("echo:" + request.Method));
        }
    }

    [Fact]
    public async Task Server_serves_any_dispatcher_with_calls_batches_and_notifications()
    {
        (InMemoryClientTransport channel, InMemoryServerTransport transport) = InMemoryTransport.CreatePair();
        var dispatcher = new EchoNameDispatcher();
        var server = new RpcServer(transport, new JsonRpcProtocol(), dispatcher);
        Task serving = server.ServeForeverAsync(TestContext.Current.CancellationToken);
        await using (var client = new RpcClient(new JsonRpcProtocol(), channel) { Timeout = Limit })
        {
            Assert.Same(dispatcher, server.Dispatcher);
            Assert.Equal("echo:anything", await client.CallAsync<string>("anything"));
            RpcResponse[] batch = await client.BatchCallAsync([new RpcCall("a"), new RpcCall("b")], TestContext.Current.CancellationToken);
            Assert.Equal(["echo:a", "echo:b"], batch.Select(static r => r.GetResult<string>()));
            await client.NotifyAsync("ping", cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal("echo:after", await client.CallAsync<string>("after"));
        }

        await serving.WaitAsync(Limit, TestContext.Current.CancellationToken);
        Assert.Equal(1, dispatcher.Notifications);
    }

    [Fact]
    public async Task A_third_party_transport_that_keeps_owned_bytes_gets_requests_and_replies_without_a_copy()
    {
        using var probe = new OwnedBytesProbe();
        Task serving = new RpcServer(probe.Server, new JsonRpcProtocol(), Transports.ClientServerTests.CreateDispatcher()).ServeForeverAsync(TestContext.Current.CancellationToken);
        await using (var client = new RpcClient(new JsonRpcProtocol(), probe.Channel) { Timeout = Limit })
        {
            for (int i = 0; i < 20; i++)
            {
                Assert.Equal(i + 1, await client.CallAsync<int>("subtract", i, -1));
            }

            RpcResponse[] batch = await client.BatchCallAsync([new RpcCall("subtract", [1, -1]), new RpcCall("subtract", [2, -2])], TestContext.Current.CancellationToken);
            Assert.Equal([2, 4], batch.Select(static r => r.GetResult<int>()));
        }

        await serving.WaitAsync(Limit, TestContext.Current.CancellationToken);
        Assert.Equal((21, 0), (probe.OwnedRequests, probe.CopiedRequests));
        Assert.Equal((21, 0), (probe.OwnedReplies, probe.CopiedReplies));

        // The server read the very arrays the client wrote.
        Assert.Equal(probe.SentRequestArrays.Count, probe.ReceivedRequestArrays.Count);
        Assert.All(probe.SentRequestArrays.Zip(probe.ReceivedRequestArrays), pair => Assert.Same(pair.First, pair.Second));
    }

    [Fact]
    public async Task A_request_parsed_from_someone_elses_buffer_is_copied_when_sent()
    {
        var protocol = new JsonRpcProtocol();
        byte[] buffer = Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","method":"subtract","params":[8,3],"id":1}""");
        var parsed = (RpcRequest)protocol.ParseRequest(buffer);
        Assert.False(parsed.OwnsSerializedBytes);

        using var probe = new OwnedBytesProbe();
        Task serving = new RpcServer(probe.Server, protocol, Transports.ClientServerTests.CreateDispatcher()).ServeForeverAsync(TestContext.Current.CancellationToken);
        await using (var client = new RpcClient(protocol, probe.Channel) { Timeout = Limit })
        {
            Assert.Equal(5, await client.SendAsync<int>(parsed, TestContext.Current.CancellationToken));
        }

        await serving.WaitAsync(Limit, TestContext.Current.CancellationToken);
        Assert.Equal((0, 1), (probe.OwnedRequests, probe.CopiedRequests));
        Assert.True(MemoryMarshal.TryGetArray(parsed.Serialize(), out ArraySegment<byte> segment) && ReferenceEquals(segment.Array, buffer));
    }
}
