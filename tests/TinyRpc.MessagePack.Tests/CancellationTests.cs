using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Protocols;
using TinyRpc.Protocols.MsgPackRpc;
using TinyRpc.Server;
using TinyRpc.Transports;

namespace TinyRpc.MessagePack.Tests;

/// <summary>
/// Cancellation that reaches the server over MSGPACK-RPC: the cancel is the notification <c>[2, "$/cancelRequest",
/// [msgid]]</c>, since MSGPACK-RPC has no named parameters. Over a TCP connection on this machine.
/// </summary>
public class CancellationTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    [Fact]
    public void The_cancel_notification_names_the_id_by_position()
    {
        var protocol = new MessagePackRpcProtocol();

        RpcRequest cancel = protocol.CreateCancelRequest(RpcId.FromNumber(7));
        var parsed = (RpcRequest)protocol.ParseRequest(cancel.Serialize());

        // [2, "$/cancelRequest", [7]]: a notification of three elements, the id alone in the parameter array.
        Assert.Equal("9302AF242F63616E63656C52657175657374910" + "7", Convert.ToHexString(cancel.Serialize().Span));
        Assert.True(parsed.OneWay);
        Assert.False(parsed.Arguments.IsNamed);
        Assert.True(RpcProtocol.TryReadCancelledId(parsed, out RpcId id));
        Assert.Equal(RpcId.FromNumber(7), id);
    }

    [Fact]
    public async Task A_cancelled_call_ends_at_once_and_the_method_on_the_server_is_cancelled()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var dispatcher = new RpcDispatcher();
        dispatcher.AddMethod("wait", async (request, ct) =>
        {
            started.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                cancelled.TrySetResult(true);
                throw;
            }

            return request.Respond("never");
        });
        var protocol = new MessagePackRpcProtocol();
        await using var transport = TcpServerTransport.Loopback();
        using var stop = new CancellationTokenSource();
        Task serving = new RpcServer(transport, protocol, dispatcher).ServeForeverAsync(stop.Token);
        await using (var client = new RpcConnection(protocol, await StreamClientTransport.ConnectTcpAsync("127.0.0.1", transport.LocalEndPoint.Port)))
        {
            using var cancel = new CancellationTokenSource();
            Task<string> call = client.CallAsync<string>("wait", null, null, cancel.Token);
            await started.Task.WaitAsync(Limit);
            await cancel.CancelAsync();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(Limit));
            Assert.True(await cancelled.Task.WaitAsync(Limit));
        }

        await stop.CancelAsync();
        await serving.WaitAsync(Limit);
    }
}
