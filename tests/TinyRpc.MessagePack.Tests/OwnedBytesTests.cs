using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.MsgPackRpc;
using TinyRpc.Server;

namespace TinyRpc.Tests;

/// <summary>MSGPACK-RPC gets the same hand-over without a copy as JSON-RPC, from any transport that offers it.</summary>
public class OwnedBytesTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    private static int Arg(RpcRequest request, int index, string name)
        => request.Arguments.TryGet(index, name, out int value) ? value : throw new InvalidParamsException($"{name} is missing.");

    [Fact]
    public async Task Requests_and_replies_built_by_msgpack_reach_a_transport_that_keeps_owned_bytes_without_a_copy()
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.AddMethod("subtract", static (r, _) => new(r.Respond(Arg(r, 0, "a") - Arg(r, 1, "b"))),
            [new RpcParameter("a", typeof(int)), new RpcParameter("b", typeof(int))]);
        dispatcher.AddMethod("fail", static (_, _) => throw new ServerException("no"));
        var protocol = new MessagePackRpcProtocol();
        using var probe = new OwnedBytesProbe();
        Task serving = new RpcServer(probe.Server, protocol, dispatcher).ServeForeverAsync(TestContext.Current.CancellationToken);
        await using (var client = new RpcClient(protocol, probe.Channel) { Timeout = Limit })
        {
            for (int i = 0; i < 10; i++)
            {
                Assert.Equal(i + 1, await client.CallAsync<int>("subtract", i, -1));
            }

            await Assert.ThrowsAnyAsync<RpcException>(() => client.CallAsync<int>("fail"));
        }

        await serving.WaitAsync(Limit, TestContext.Current.CancellationToken);
        Assert.Equal((11, 0), (probe.OwnedRequests, probe.CopiedRequests));
        Assert.Equal((11, 0), (probe.OwnedReplies, probe.CopiedReplies));
        Assert.All(probe.SentRequestArrays.Zip(probe.ReceivedRequestArrays), pair => Assert.Same(pair.First, pair.Second));
    }
}
