using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Server;
using TinyRpc.Transports;

namespace TinyRpc.RabbitMQ.Tests;

/// <summary>A server on its own transport, serving until disposed; deletes its queue at the end.</summary>
internal sealed class RunningServer : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;

    private RunningServer(RabbitMQServerTransport transport, RpcDispatcher dispatcher, RpcServerOptions? options)
    {
        Transport = transport;
        _serving = new RpcServer(transport, new JsonRpcProtocol(), dispatcher, options).ServeForeverAsync(_stop.Token);
    }

    public RabbitMQServerTransport Transport { get; }

    public static async Task<RunningServer> StartAsync(string queue, RpcDispatcher? dispatcher = null, RpcServerOptions? options = null)
        => new(await RabbitMQServerTransport.CreateAsync(RabbitMQBroker.Host, queue), dispatcher ?? TestService.CreateDispatcher(), options);

    public static RunningServer Start(RabbitMQServerTransport transport, RpcDispatcher? dispatcher = null, RpcServerOptions? options = null)
        => new(transport, dispatcher ?? TestService.CreateDispatcher(), options);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _serving.WaitAsync(TestService.Limit);
        await Transport.DisposeAsync();
        _stop.Dispose();
    }
}

/// <summary>A queue name of its own for one test; the queue is deleted at the end.</summary>
internal sealed class TestQueue(string purpose) : IAsyncDisposable
{
    public string Name { get; } = TestService.NewQueueName(purpose);

    public ValueTask DisposeAsync() => new(Admin.DeleteQueueAsync(Name));
}

/// <summary>Raw broker access for setting up and inspecting topology.</summary>
internal static class Admin
{
    public static Task<IConnection> ConnectAsync(string name = "TinyRpc test admin")
        => new ConnectionFactory { HostName = RabbitMQBroker.Host, Port = RabbitMQBroker.Port }.CreateConnectionAsync(name);

    public static async Task DeleteQueueAsync(string queue)
    {
        await using IConnection connection = await ConnectAsync();
        await using IChannel channel = await connection.CreateChannelAsync();
        await channel.QueueDeleteAsync(queue);
    }

    /// <summary>Waits until <paramref name="queue"/> holds no ready message (bounded).</summary>
    public static async Task<uint> WaitForEmptyQueueAsync(IChannel channel, string queue)
    {
        uint count = 0;
        for (int i = 0; i < 100; i++)
        {
            count = (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
            if (count == 0)
            {
                break;
            }

            await Task.Delay(100);
        }

        return count;
    }
}

public sealed class RabbitMQTransportTests
{
    private static readonly TimeSpan Limit = TestService.Limit;

    [Fact]
    public async Task Client_and_server_created_from_a_host_name_round_trip()
    {
        await using var testQueue = new TestQueue("roundtrip");
        string queue = testQueue.Name;
        await using RunningServer server = await RunningServer.StartAsync(queue);
        await using var client = new RpcClient(new JsonRpcProtocol(), await RabbitMQClientTransport.CreateAsync(RabbitMQBroker.Host, queue)) { Timeout = Limit };

        Assert.Equal("!dlroW ,olleH", await client.CallAsync<string>("reverse_string", "Hello, World!"));
        await client.NotifyAsync("subtract", [1, 2]);
        Assert.Equal(7, await client.CallAsync<int>("subtract", 10, 3));
        RpcResponse[] batch = await client.BatchCallAsync([new RpcCall("subtract", [10, 3]), new RpcCall("nope")]);
        Assert.Equal(7, batch[0].GetResult<int>());
        Assert.Equal(RpcErrorCodes.MethodNotFound, ((RpcErrorResponse)batch[1]).Code);
        var error = await Assert.ThrowsAnyAsync<RpcException>(() => client.CallAsync<int>("nope"));
        Assert.Equal(RpcErrorCodes.MethodNotFound, error.Code);

        // Many calls outstanding at once through one transport, matched by correlation id.
        int[] results = await Task.WhenAll(Enumerable.Range(0, 500).Select(i => Task.Run(() => client.CallAsync<int>("subtract", i, 1))));
        Assert.Equal(Enumerable.Range(-1, 500), results);
        Assert.Equal(0, ((RabbitMQClientTransport)client.Transport).PendingCalls);
    }

    [Fact]
    public async Task Client_and_server_created_from_an_amqp_uri_round_trip()
    {
        await using var testQueue = new TestQueue("amqp-uri");
        string queue = testQueue.Name;
        var uri = new Uri($"amqp://guest:guest@{RabbitMQBroker.Host}:{RabbitMQBroker.Port}/%2F");
        await using RunningServer server = RunningServer.Start(await RabbitMQServerTransport.CreateAsync(uri, queue));

        // The host-name overloads read a host name written as an AMQP URI too (no path: the default virtual host).
        await using var client = new RpcClient(new JsonRpcProtocol(), await RabbitMQClientTransport.CreateAsync($"amqp://{RabbitMQBroker.Host}:{RabbitMQBroker.Port}", queue)) { Timeout = Limit };
        Assert.Equal("cba", await client.CallAsync<string>("reverse_string", "abc"));
        await using var second = new RpcClient(new JsonRpcProtocol(), await RabbitMQClientTransport.CreateAsync(uri, queue)) { Timeout = Limit };
        Assert.Equal(7, await second.CallAsync<int>("subtract", 10, 3));
    }

    [Fact]
    public async Task An_amqp_uri_whose_virtual_host_does_not_exist_is_a_clear_error()
    {
        // The path of an AMQP URI is the virtual host, not a queue: the broker refuses an unknown one, and says so.
        var uri = new Uri($"amqp://guest:guest@{RabbitMQBroker.Host}:{RabbitMQBroker.Port}/no_such_vhost");
        RpcTransportException e = await Assert.ThrowsAsync<RpcTransportException>(() => RabbitMQClientTransport.CreateAsync(uri, "q"));
        Assert.True(e.Message.Contains("vhost no_such_vhost not found", StringComparison.Ordinal), e.Message);
        Assert.DoesNotContain("guest", e.Message);
    }

    [Fact]
    public async Task A_uri_that_is_not_amqp_is_refused()
    {
        ArgumentException e = await Assert.ThrowsAsync<ArgumentException>(() => RabbitMQServerTransport.CreateAsync(new Uri("http://127.0.0.1:5672/"), "q"));
        Assert.Contains("not an AMQP URI", e.Message);
    }

    [Fact]
    public async Task Transports_built_on_connections_use_a_named_exchange()
    {
        await using var testQueue = new TestQueue("exchange");
        string queue = testQueue.Name;
        string exchange = TestService.NewQueueName("direct");
        await using IConnection connection = await Admin.ConnectAsync("TinyRpc test shared");
        await using (IChannel setup = await connection.CreateChannelAsync())
        {
            await setup.ExchangeDeclareAsync(exchange, ExchangeType.Direct, durable: false, autoDelete: true);
        }

        await using (var server = RunningServer.Start(await RabbitMQServerTransport.CreateAsync(connection, queue, exchange)))
        await using (var transport = await RabbitMQClientTransport.CreateAsync(connection, queue, exchange))
        {
            Assert.Equal(queue, server.Transport.Queue);
            Assert.Equal(exchange, server.Transport.Exchange);
            var client = new RpcClient(new JsonRpcProtocol(), transport);
            Assert.Equal("cba", await client.CallAsync<string>("reverse_string", "abc"));
        }

        // The connection was the caller's: it is still open.
        Assert.True(connection.IsOpen);
    }

    [Fact]
    public async Task Client_times_out_with_a_clear_error_and_keeps_working()
    {
        await using var testQueue = new TestQueue("timeout");
        string queue = testQueue.Name;
        await using RunningServer server = await RunningServer.StartAsync(queue);
        await using var transport = await RabbitMQClientTransport.CreateAsync(RabbitMQBroker.Host, queue);
        transport.Timeout = TimeSpan.FromMilliseconds(300);
        var client = new RpcClient(new JsonRpcProtocol(), transport);

        var error = await Assert.ThrowsAsync<RpcTransportException>(() => client.CallAsync<int>("sleep", 2000));
        Assert.Contains("No reply within 0.3 s", error.Message, StringComparison.Ordinal);
        Assert.Contains(queue, error.Message, StringComparison.Ordinal);
        Assert.Equal(0, transport.PendingCalls);

        // The late reply is dropped; the next call gets its own.
        transport.Timeout = Limit;
        Assert.Equal(1, await client.CallAsync<int>("sleep", 1));
        Assert.Equal(2, await client.CallAsync<int>("subtract", 3, 1));
    }

    [Fact]
    public async Task Unroutable_messages_fail_at_once()
    {
        string queue = TestService.NewQueueName("nobody");
        await using var transport = await RabbitMQClientTransport.CreateAsync(RabbitMQBroker.Host, queue);
        var client = new RpcClient(new JsonRpcProtocol(), transport);
        var error = await Assert.ThrowsAsync<RpcTransportException>(() => client.CallAsync<int>("subtract", 1, 1));
        Assert.Contains("could not route", error.Message, StringComparison.Ordinal);
        Assert.Contains(queue, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_broker_gives_a_clear_error()
    {
        int port;
        using (var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }

        var client = await Assert.ThrowsAsync<RpcTransportException>(() => RabbitMQClientTransport.CreateAsync("127.0.0.1", "q", port: port));
        Assert.Contains($"Cannot connect to the RabbitMQ broker at 127.0.0.1:{port}", client.Message, StringComparison.Ordinal);
        var server = await Assert.ThrowsAsync<RpcTransportException>(() => RabbitMQServerTransport.CreateAsync("127.0.0.1", "q", port: port));
        Assert.Contains($"127.0.0.1:{port}", server.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_exchange_gives_a_clear_error()
    {
        await using var testQueue = new TestQueue("noexchange");
        string queue = testQueue.Name;
        var error = await Assert.ThrowsAsync<RpcTransportException>(() => RabbitMQServerTransport.CreateAsync(RabbitMQBroker.Host, queue, "tinyrpc-no-such-exchange"));
        Assert.Contains(queue, error.Message, StringComparison.Ordinal);
        Assert.Contains("tinyrpc-no-such-exchange", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_is_acknowledged_only_after_its_reply_is_published()
    {
        await using var testQueue = new TestQueue("ack");
        string queue = testQueue.Name;
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = new RpcDispatcher();
        first.AddMethod("echo", async (r, ct) =>
        {
            held.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return r.Respond(-1);
        }, [new RpcParameter("value", typeof(int))]);
        // The first server takes the request and never answers; when it goes away, the request is
        // delivered again to the second one, because nothing acknowledged it.
        var doomed = RunningServer.Start(await RabbitMQServerTransport.CreateAsync(RabbitMQBroker.Host, queue, prefetch: 1), first, new RpcServerOptions { ShutdownTimeout = TimeSpan.FromMilliseconds(100) });
        await using var transport = await RabbitMQClientTransport.CreateAsync(RabbitMQBroker.Host, queue);
        transport.Timeout = Limit;
        var client = new RpcClient(new JsonRpcProtocol(), transport);
        Task<int> call = client.CallAsync<int>("echo", 42);
        await held.Task.WaitAsync(Limit);
        await doomed.DisposeAsync();

        await using RunningServer second = await RunningServer.StartAsync(queue);
        Assert.Equal(42, await call.WaitAsync(Limit));
    }

    [Fact]
    public async Task Server_answers_garbage_and_acknowledges_what_it_cannot_answer()
    {
        await using var testQueue = new TestQueue("garbage");
        string queue = testQueue.Name;
        await using RunningServer server = await RunningServer.StartAsync(queue);
        await using IConnection connection = await Admin.ConnectAsync();
        await using IChannel channel = await connection.CreateChannelAsync();
        var replies = new ConcurrentDictionary<string, string>();
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, e) =>
        {
            replies[e.BasicProperties.CorrelationId ?? "?"] = Encoding.UTF8.GetString(e.Body.Span);
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync("amq.rabbitmq.reply-to", autoAck: true, consumer);

        byte[][] garbage = ["not json"u8.ToArray(), [], [0xff, 0xfe, 0x00], "[]"u8.ToArray(), "{\"id\":1}"u8.ToArray(), new byte[100_000]];
        for (int i = 0; i < garbage.Length; i++)
        {
            var properties = new BasicProperties { CorrelationId = "g" + i, ReplyTo = "amq.rabbitmq.reply-to" };
            await channel.BasicPublishAsync(string.Empty, queue, mandatory: true, properties, garbage[i]);
        }

        // Without reply-to nobody can be answered: the request is acknowledged and dropped.
        await channel.BasicPublishAsync(string.Empty, queue, """{"jsonrpc":"2.0","method":"subtract","params":[3,1],"id":5}"""u8.ToArray());
        await channel.BasicPublishAsync(string.Empty, queue, "garbage without reply-to"u8.ToArray());

        for (int i = 0; i < 100 && replies.Count < garbage.Length; i++)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.Equal(garbage.Length, replies.Count);
        int[] expected = [RpcErrorCodes.ParseError, RpcErrorCodes.ParseError, RpcErrorCodes.ParseError, RpcErrorCodes.InvalidRequest, RpcErrorCodes.InvalidRequest, RpcErrorCodes.ParseError];
        for (int i = 0; i < garbage.Length; i++)
        {
            using var json = JsonDocument.Parse(replies["g" + i]);
            Assert.Equal(expected[i], json.RootElement.GetProperty("error").GetProperty("code").GetInt32());
        }

        Assert.Equal(0u, await Admin.WaitForEmptyQueueAsync(channel, queue));
        await using var transport = await RabbitMQClientTransport.CreateAsync(RabbitMQBroker.Host, queue);
        Assert.Equal("ba", await new RpcClient(new JsonRpcProtocol(), transport).CallAsync<string>("reverse_string", "ab"));
    }

    [Fact]
    public async Task Disposed_transports_end_serving_and_refuse_calls()
    {
        await using var testQueue = new TestQueue("dispose");
        string queue = testQueue.Name;
        var serverTransport = await RabbitMQServerTransport.CreateAsync(RabbitMQBroker.Host, queue);
        Task serving = new RpcServer(serverTransport, new JsonRpcProtocol(), TestService.CreateDispatcher()).ServeForeverAsync(TestContext.Current.CancellationToken);
        await serverTransport.DisposeAsync();
        await serving.WaitAsync(Limit);
        await serverTransport.DisposeAsync();

        var clientTransport = await RabbitMQClientTransport.CreateAsync(RabbitMQBroker.Host, queue);
        await clientTransport.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await clientTransport.SendMessageAsync("x"u8.ToArray(), cancellationToken: TestContext.Current.CancellationToken));
    }
}
