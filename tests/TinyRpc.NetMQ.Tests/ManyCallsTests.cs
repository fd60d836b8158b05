using TinyRpc.Client;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Tests;
using TinyRpc.Transports;

namespace TinyRpc.NetMQ.Tests;

public sealed class ManyCallsTests
{
    private const int Calls = 10_000;

    [Fact]
    public async Task Ten_thousand_concurrent_calls_on_one_dealer_socket_each_get_their_own_reply()
    {
        await using var server = new ZmqTransportTests.RunningServer();
        await using (var client = new RpcClient(new JsonRpcProtocol(), ZmqDealerClientTransport.Create(server.Endpoint)) { Timeout = TestService.Limit })
        {
            Task<string>[] calls = Enumerable.Range(0, Calls).Select(i => client.CallAsync<string>("reverse_string", Argument(i))).ToArray();
            string[] results = await Task.WhenAll(calls).WaitAsync(TestService.Limit);
            int[] wrong = Enumerable.Range(0, Calls).Where(i => results[i] != new string(Argument(i).Reverse().ToArray())).ToArray();
            Assert.True(wrong.Length == 0, wrong.Length == 0 ? "" : $"{wrong.Length} of {Calls} replies did not match their calls; call {wrong[0]} ({Argument(wrong[0])}) got '{results[wrong[0]]}'.");
            Assert.Equal(0, client.PendingCalls);
        }
    }

    private static string Argument(int i) => $"call {i}:{i * 7919}";
}
