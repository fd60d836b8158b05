using System.Diagnostics;
using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Server;
using TinyRpc.Transports;

namespace TinyRpc.RabbitMQ.Tests;

/// <summary>
/// The client loses its connection to the broker while a call waits for its reply: the broker closes that one
/// connection (rabbitmqctl close_connection), so other tests running alongside are not disturbed.
/// </summary>
public sealed class ClientConnectionLossTests
{
    [Fact]
    public async Task A_call_waiting_when_the_client_loses_the_broker_fails_at_once_and_calls_work_again_once_the_connection_recovers()
    {
        string queue = TestService.NewQueueName("client-loss");
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var dispatcher = new RpcDispatcher();
        dispatcher.AddMethod("hold", async (request, _) =>
        {
            running.TrySetResult();
            await release.Task;
            return request.Respond(7);
        });

        await using RabbitMQServerTransport serverTransport = await RabbitMQServerTransport.CreateAsync(RabbitMQBroker.Host, queue);
        using var stop = new CancellationTokenSource();
        Task serving = new RpcServer(serverTransport, new JsonRpcProtocol(), dispatcher).ServeForeverAsync(stop.Token);
        await using RabbitMQClientTransport transport = await RabbitMQClientTransport.CreateAsync(RabbitMQBroker.Host, queue);

        // No timeout of their own: only the lost connection can end the call.
        transport.Timeout = Timeout.InfiniteTimeSpan;
        var client = new RpcClient(new JsonRpcProtocol(), transport) { Timeout = Timeout.InfiniteTimeSpan };
        Task<int> call = client.CallAsync<int>("hold");
        await running.Task.WaitAsync(TestService.Limit);

        await RabbitMQBroker.CloseConnectionAsync("TinyRpc client " + queue, "client connection loss test");
        RpcTransportException error = await Assert.ThrowsAsync<RpcTransportException>(() => call.WaitAsync(TestService.Limit));
        Assert.Contains("connection to the RabbitMQ broker was lost", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, transport.PendingCalls);

        // The client library reconnects by itself; until then a call fails with RpcTransportException.
        release.TrySetResult();
        var clock = Stopwatch.StartNew();
        int? answer = null;
        Exception? last = null;
        while (answer is null && clock.Elapsed < TestService.Limit)
        {
            try
            {
                answer = await client.CallAsync<int>("hold").WaitAsync(TestService.Limit);
            }
            catch (RpcTransportException e)
            {
                last = e;
                await Task.Delay(200, TestContext.Current.CancellationToken);
            }
        }

        Assert.True(answer == 7, $"No call worked within {TestService.Limit.TotalSeconds} s of the connection loss; the last failure: {last}");
        Assert.Equal(7, await client.CallAsync<int>("hold").WaitAsync(TestService.Limit));

        await stop.CancelAsync();
        await serving.WaitAsync(TestService.Limit);
        await Admin.DeleteQueueAsync(queue);
    }
}
