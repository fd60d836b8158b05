using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Exceptions;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Server;
using TinyRpc.Transports;

namespace TinyRpc.Tests.Logging;

/// <summary>
/// The runtime's log events (docs/logging.md), each seen through a real logger (FakeLogger collects what is written)
/// over a real transport.
/// </summary>
public sealed class RuntimeLoggingTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    // Waits (bounded) until the logger holds an entry with the event id, and returns it.
    private static async Task<FakeLogRecord> WaitForEventAsync(FakeLogger logger, int eventId)
    {
        using var limit = new CancellationTokenSource(Limit);
        while (true)
        {
            FakeLogRecord? record = logger.Collector.GetSnapshot().FirstOrDefault(r => r.Id.Id == eventId);
            if (record is not null)
            {
                return record;
            }

            await Task.Delay(10, limit.Token);
        }
    }

    [Fact]
    public async Task A_notification_whose_method_throws_is_logged_as_an_error()
    {
        var logger = new FakeLogger();
        var dispatcher = new RpcDispatcher { Logger = logger };
        dispatcher.AddMethod("fails", static (_, _) => throw new InvalidOperationException("the notification broke"));
        dispatcher.AddMethod("refuses", static (_, _) => throw new ServerException("refused"));
        dispatcher.AddMethod("ping", static (r, _) => new(r.Respond("pong")));
        (InMemoryClientTransport channel, InMemoryServerTransport transport) = InMemoryTransport.CreatePair();
        var server = new RpcServer(transport, new JsonRpcProtocol(), dispatcher);
        Task serving = server.ServeForeverAsync(TestContext.Current.CancellationToken);
        await using (var client = new RpcClient(new JsonRpcProtocol(), channel) { Timeout = Limit })
        {
            await client.NotifyAsync("fails", cancellationToken: TestContext.Current.CancellationToken);
            FakeLogRecord record = await WaitForEventAsync(logger, 13);
            Assert.Equal(LogLevel.Error, record.Level);
            Assert.Contains("fails", record.Message, StringComparison.Ordinal);
            Assert.Equal("the notification broke", record.Exception?.Message);

            // An RpcException is an answer for a call, but a notification has no reply to carry it: logged too.
            logger.Collector.Clear();
            await client.NotifyAsync("refuses", cancellationToken: TestContext.Current.CancellationToken);
            record = await WaitForEventAsync(logger, 13);
            Assert.Contains("refuses", record.Message, StringComparison.Ordinal);
            Assert.IsType<ServerException>(record.Exception);

            // A notification that succeeds logs nothing; one error is logged once (not also as event 11).
            Assert.Equal("pong", await client.CallAsync<string>("ping"));
            await client.NotifyAsync("ping", cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal("pong", await client.CallAsync<string>("ping"));
            Assert.Single(logger.Collector.GetSnapshot());
        }

        await serving.WaitAsync(Limit, TestContext.Current.CancellationToken);
    }
}
