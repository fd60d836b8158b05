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

    /// <summary>A clock the test moves by hand: a stand-in for time, which a test cannot move otherwise.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }

    private static async Task<string> ExchangeAsync(InMemoryClientTransport channel, string message)
    {
        await channel.SendAsync(Encoding.UTF8.GetBytes(message), TestContext.Current.CancellationToken);
        ReadOnlyMemory<byte>? reply = await channel.ReceiveAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Limit, TestContext.Current.CancellationToken);
        return Encoding.UTF8.GetString(reply!.Value.Span);
    }

    [Fact]
    public async Task Rejected_messages_are_logged_at_debug_at_most_once_a_second_with_a_count_of_those_not_logged()
    {
        var logger = new FakeLogger();
        var clock = new ManualClock();
        var dispatcher = new RpcDispatcher();
        dispatcher.AddMethod("ping", static (r, _) => new(r.Respond("pong")));
        var responder = new RpcResponder(new JsonRpcProtocol(), dispatcher) { Logger = logger, Clock = clock };
        (InMemoryClientTransport channel, InMemoryServerTransport transport) = InMemoryTransport.CreatePair();
        var server = new RpcServer(transport, responder);
        Task serving = server.ServeForeverAsync(TestContext.Current.CancellationToken);
        using (channel)
        {
            Assert.Contains("-32700", await ExchangeAsync(channel, "{not json"), StringComparison.Ordinal);
            FakeLogRecord first = Assert.Single(logger.Collector.GetSnapshot(), r => r.Id.Id == 14);
            Assert.Equal(LogLevel.Debug, first.Level);
            Assert.Contains("-32700", first.Message, StringComparison.Ordinal);
            Assert.Contains("0 rejected", first.Message, StringComparison.Ordinal);

            // A burst within the same second: answered, not logged, counted.
            for (int i = 0; i < 5; i++)
            {
                Assert.Contains("-32600", await ExchangeAsync(channel, """{"jsonrpc":"2.0","method":1,"id":1}"""), StringComparison.Ordinal);
            }

            Assert.Contains("-32700", await ExchangeAsync(channel, "[1,"), StringComparison.Ordinal);
            Assert.Single(logger.Collector.GetSnapshot(), r => r.Id.Id == 14);

            // A good message is not a rejection.
            Assert.Contains("pong", await ExchangeAsync(channel, """{"jsonrpc":"2.0","method":"ping","id":2}"""), StringComparison.Ordinal);

            clock.Advance(TimeSpan.FromSeconds(1));
            Assert.Contains("-32600", await ExchangeAsync(channel, """{"jsonrpc":"2.0","method":1,"id":3}"""), StringComparison.Ordinal);
            FakeLogRecord[] records = [.. logger.Collector.GetSnapshot().Where(r => r.Id.Id == 14)];
            Assert.Equal(2, records.Length);
            Assert.Contains("-32600", records[1].Message, StringComparison.Ordinal);
            Assert.Contains("6 rejected", records[1].Message, StringComparison.Ordinal);
            Assert.Equal(6, records[1].GetStructuredStateValue("Suppressed") is { } s ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : -1);
        }

        await serving.WaitAsync(Limit, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Rejected_messages_are_not_logged_when_debug_is_off()
    {
        var logger = new FakeLogger();
        logger.ControlLevel(LogLevel.Debug, enabled: false);
        var responder = new RpcResponder(new JsonRpcProtocol(), new RpcDispatcher()) { Logger = logger };
        RpcReply reply = await responder.RespondAsync(Encoding.UTF8.GetBytes("{not json"), null, int.MaxValue, TestContext.Current.CancellationToken);
        Assert.Contains("-32700", Encoding.UTF8.GetString(reply.Message.Span), StringComparison.Ordinal);
        Assert.Empty(logger.Collector.GetSnapshot());
    }
}
