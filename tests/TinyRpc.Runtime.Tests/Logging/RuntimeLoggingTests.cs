using System.Net;
using System.Net.Sockets;
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

    [Fact]
    public async Task A_client_of_a_duplex_server_is_logged_when_it_connects_and_when_it_leaves_and_a_connection_when_opened_and_closed()
    {
        var serverLogger = new FakeLogger();
        var clientLogger = new FakeLogger();
        var dispatcher = new RpcDispatcher { Logger = serverLogger };
        dispatcher.AddMethod("ping", static (r, _) => new(r.Respond("pong")));
        (InMemoryClientTransport channel, InMemoryServerTransport transport) = InMemoryTransport.CreatePair();
        var server = new RpcServer(transport, new JsonRpcProtocol(), dispatcher);
        Task serving = server.ServeForeverAsync(TestContext.Current.CancellationToken);
        var connection = new RpcConnection(new JsonRpcProtocol(), channel, options: new RpcConnectionOptions { Logger = clientLogger }) { Timeout = Limit };
        await using (connection)
        {
            FakeLogRecord opened = Assert.Single(clientLogger.Collector.GetSnapshot());
            Assert.Equal((22, LogLevel.Debug), (opened.Id.Id, opened.Level));

            Assert.Equal("pong", await connection.CallAsync<string>("ping"));
            FakeLogRecord connected = Assert.Single(serverLogger.Collector.GetSnapshot());
            Assert.Equal((20, LogLevel.Debug), (connected.Id.Id, connected.Level));

            // Once only per client.
            Assert.Equal("pong", await connection.CallAsync<string>("ping"));
            Assert.Single(serverLogger.Collector.GetSnapshot());
        }

        FakeLogRecord closed = await WaitForEventAsync(clientLogger, 23);
        Assert.Equal(LogLevel.Debug, closed.Level);
        FakeLogRecord left = await WaitForEventAsync(serverLogger, 21);
        Assert.Equal(LogLevel.Debug, left.Level);
        await serving.WaitAsync(Limit, TestContext.Current.CancellationToken);
        Assert.DoesNotContain(clientLogger.Collector.GetSnapshot(), r => r.Level >= LogLevel.Warning);
        Assert.DoesNotContain(serverLogger.Collector.GetSnapshot(), r => r.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task A_reply_that_cannot_be_sent_is_logged_as_a_warning()
    {
        var logger = new FakeLogger();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var dispatcher = new RpcDispatcher { Logger = logger };
        dispatcher.AddMethod("hold", async (r, ct) =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
            return r.Respond("never");
        }, []);
        (InMemoryClientTransport channel, InMemoryServerTransport transport) = InMemoryTransport.CreatePair();
        var server = new RpcServer(transport, new JsonRpcProtocol(), dispatcher);
        Task serving = server.ServeForeverAsync(TestContext.Current.CancellationToken);
        using (channel)
        {
            await channel.SendAsync(Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","method":"hold","id":1}"""), TestContext.Current.CancellationToken);
            await started.Task.WaitAsync(Limit, TestContext.Current.CancellationToken);

            // The server's side closes: the running call is cancelled, and its answer has nowhere to go.
            transport.Dispose();
            FakeLogRecord record = await WaitForEventAsync(logger, 31);
            Assert.Equal(LogLevel.Warning, record.Level);
            Assert.IsType<RpcTransportException>(record.Exception);
        }

        await serving.WaitAsync(Limit, TestContext.Current.CancellationToken);
    }

    /// <summary>
    /// A server transport whose receiving fails: a stand-in, because no real transport can be made to fail its
    /// receive loop on demand.
    /// </summary>
    private sealed class FailingServerTransport : IServerTransport
    {
        public ValueTask<RpcInboundMessage?> ReceiveMessageAsync(CancellationToken cancellationToken = default)
            => ValueTask.FromException<RpcInboundMessage?>(new IOException("the network is down"));

        public ValueTask SendReplyAsync(object? context, ReadOnlyMemory<byte> reply, CancellationToken cancellationToken = default)
            => ValueTask.CompletedTask;
    }

    [Fact]
    public async Task A_server_whose_receiving_fails_logs_a_warning_and_still_throws()
    {
        var logger = new FakeLogger();
        var server = new RpcServer(new FailingServerTransport(), new JsonRpcProtocol(), new RpcDispatcher { Logger = logger });
        IOException thrown = await Assert.ThrowsAsync<IOException>(() => server.ServeForeverAsync(TestContext.Current.CancellationToken).WaitAsync(Limit, TestContext.Current.CancellationToken));
        FakeLogRecord record = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal((30, LogLevel.Warning), (record.Id.Id, record.Level));
        Assert.Same(thrown, record.Exception);
    }

    [Fact]
    public async Task A_connection_that_fails_logs_a_warning_and_its_calls_fail()
    {
        // A peer on loopback that answers with a frame that cannot be read.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Task peer = Task.Run(async () =>
        {
            using TcpClient accepted = await listener.AcceptTcpClientAsync(TestContext.Current.CancellationToken);
            NetworkStream stream = accepted.GetStream();
            var buffer = new byte[4096];
            _ = await stream.ReadAsync(buffer, TestContext.Current.CancellationToken);
            await stream.WriteAsync(": no name\r\n\r\n"u8.ToArray(), TestContext.Current.CancellationToken);
            _ = await stream.ReadAsync(buffer, TestContext.Current.CancellationToken); // until the client closes
        }, TestContext.Current.CancellationToken);

        var logger = new FakeLogger();
        StreamClientTransport transport = await StreamClientTransport.ConnectTcpAsync("127.0.0.1", ((IPEndPoint)listener.LocalEndpoint).Port);
        await using (var connection = new RpcConnection(new JsonRpcProtocol(), transport, options: new RpcConnectionOptions { Logger = logger }) { Timeout = Limit })
        {
            await Assert.ThrowsAnyAsync<RpcTransportException>(() => connection.CallAsync<string>("ping"));
            FakeLogRecord record = await WaitForEventAsync(logger, 32);
            Assert.Equal(LogLevel.Warning, record.Level);
            Assert.IsType<RpcFramingException>(record.Exception);
        }

        await peer.WaitAsync(Limit, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Tcp_clients_of_a_server_are_logged_when_they_connect_and_leave()
    {
        var logger = new FakeLogger();
        var dispatcher = new RpcDispatcher();
        dispatcher.AddMethod("ping", static (r, _) => new(r.Respond("pong")));
        var responder = new RpcResponder(new JsonRpcProtocol(), dispatcher) { Logger = logger };
        await using TcpServerTransport transport = TcpServerTransport.Loopback();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        Task serving = new RpcServer(transport, responder).ServeForeverAsync(stop.Token);

        for (int i = 1; i <= 2; i++)
        {
            StreamClientTransport channel = await StreamClientTransport.ConnectTcpAsync("127.0.0.1", transport.LocalEndPoint.Port);
            await using (var client = new RpcClient(new JsonRpcProtocol(), channel) { Timeout = Limit })
            {
                Assert.Equal("pong", await client.CallAsync<string>("ping"));
                Assert.Equal(i, logger.Collector.GetSnapshot().Count(r => r.Id.Id == 20));
            }

            using var limit = new CancellationTokenSource(Limit);
            while (logger.Collector.GetSnapshot().Count(r => r.Id.Id == 21) < i)
            {
                await Task.Delay(10, limit.Token);
            }
        }

        await stop.CancelAsync();
        await serving.WaitAsync(Limit, TestContext.Current.CancellationToken);
        Assert.All(logger.Collector.GetSnapshot(), r => Assert.Equal(LogLevel.Debug, r.Level));
    }
}
