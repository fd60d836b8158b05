using Microsoft.AspNetCore.Builder;
using TinyRpc.Client;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Server;
using TinyRpc.Transports;

namespace TinyRpc.AspNetCore.Tests;

public sealed class ManyCallsTests
{
    private const int Calls = 10_000;
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Ten_thousand_concurrent_calls_on_one_web_socket_each_get_their_own_reply()
    {
        var transport = new WebSocketServerTransport();
        await using KestrelHost host = await KestrelHost.StartAsync(app =>
        {
            app.UseWebSockets();
            app.MapTinyRpcWebSocket(transport);
        });
        using var stop = new CancellationTokenSource(Limit);
        Task serving = new RpcServer(transport, new JsonRpcProtocol(), TestService.CreateDispatcher(new TestService())).ServeForeverAsync(stop.Token);
        await using (var client = new RpcClient(new JsonRpcProtocol(), await WebSocketClientTransport.ConnectAsync(host.Ws("/ws"))))
        {
            Task<string>[] calls = Enumerable.Range(0, Calls).Select(i => client.CallAsync<string>("reverse_string", Argument(i))).ToArray();
            string[] results = await Task.WhenAll(calls).WaitAsync(Limit);
            AssertEachMatched(results);
            Assert.Equal(0, client.PendingCalls);
            Assert.Equal(1, transport.ConnectionCount);
        }

        await stop.CancelAsync();
        await serving.WaitAsync(Limit);
    }

    private static string Argument(int i) => $"call {i}:{i * 7919}";

    private static void AssertEachMatched(string[] results)
    {
        int[] wrong = Enumerable.Range(0, results.Length).Where(i => results[i] != new string(Argument(i).Reverse().ToArray())).ToArray();
        Assert.True(wrong.Length == 0, wrong.Length == 0 ? "" : $"{wrong.Length} of {results.Length} replies did not match their calls; call {wrong[0]} ({Argument(wrong[0])}) got '{results[wrong[0]]}'.");
    }
}
