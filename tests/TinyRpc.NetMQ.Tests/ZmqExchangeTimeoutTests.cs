using System.Text;
using System.Text.Json;
using NetMQ;
using NetMQ.Sockets;
using TinyRpc.Client;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Transports;

namespace TinyRpc.NetMQ.Tests;

/// <summary>
/// RpcClient's timeout over a request/reply transport when the caller passes no token: the client reuses the source that
/// carries the timeout from one exchange to the next, so a source that fired must not be reused, and one that did not
/// must still fire for a later exchange.
/// </summary>
public sealed class ZmqExchangeTimeoutTests
{
    private static readonly TimeSpan Limit = TestService.Limit;

    [Fact]
    public async Task Exchanges_without_a_token_time_out_after_answered_ones_and_work_again_after_a_timeout()
    {
        using var router = new RouterSocket();
        int port = router.BindRandomPort("tcp://127.0.0.1");
        await using var client = new RpcClient(new JsonRpcProtocol(), ZmqClientTransport.Create($"tcp://127.0.0.1:{port}"))
        {
            Timeout = TimeSpan.FromSeconds(1),
        };

        for (int round = 0; round < 2; round++)
        {
            for (int i = 0; i < 3; i++)
            {
                Task<int> answered = client.CallAsync<int>("ping");
                Answer(router, i);
                Assert.Equal(i, await answered.WaitAsync(Limit));
            }

            // Not answered: the client's timeout ends it, and the transport replaces its socket.
            Task<int> unanswered = client.CallAsync<int>("ping");
            var ignored = new List<byte[]>();
            Assert.True(router.TryReceiveMultipartBytes(Limit, ref ignored));
            await Assert.ThrowsAsync<TimeoutException>(() => unanswered.WaitAsync(Limit));
        }
    }

    // Receives one request and answers it with a result of its own id.
    private static void Answer(RouterSocket router, int result)
    {
        var frames = new List<byte[]>();
        Assert.True(router.TryReceiveMultipartBytes(Limit, ref frames));
        using JsonDocument request = JsonDocument.Parse(frames[^1]);
        string id = request.RootElement.GetProperty("id").GetRawText();
        byte[] reply = Encoding.UTF8.GetBytes($"{{\"jsonrpc\":\"2.0\",\"result\":{result},\"id\":{id}}}");
        for (int i = 0; i < frames.Count - 1; i++)
        {
            router.SendMoreFrame(frames[i]);
        }

        router.SendFrame(reply);
    }
}
