using System.Text;
using System.Threading.Channels;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using TinyRpc.Dispatch;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Server;
using TinyRpc.Transports;

namespace TinyRpc.RabbitMQ.Tests;

/// <summary>
/// A method reads the AMQP properties of the message its call came in through <see cref="RpcCallContext"/>
/// (<c>GetBasicProperties</c>): a request published to the real broker by a plain AMQP peer, with a header of its own.
/// </summary>
public sealed class CallContextTests
{
    [Fact]
    public async Task A_method_reads_the_headers_and_correlation_id_of_its_message()
    {
        await using var queue = new TestQueue("context");
        var seen = new TaskCompletionSource<(string? CorrelationId, string? ReplyTo, string? Tenant, string Method, bool HasConnection)>(
            TaskCreationOptions.RunContinuationsAsynchronously);
        var dispatcher = new RpcDispatcher();
        dispatcher.AddMethod("whoami", (request, cancellationToken) =>
        {
            RpcCallContext context = RpcCallContext.Of(request, cancellationToken);
            IReadOnlyBasicProperties? properties = context.GetBasicProperties();
            string? tenant = properties?.Headers?.TryGetValue("tenant", out object? value) == true && value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : null;
            seen.TrySetResult((properties?.CorrelationId, properties?.ReplyTo, tenant, context.Method, context.Connection is not null));
            return new(request.Respond(tenant));
        });

        await using RunningServer server = await RunningServer.StartAsync(queue.Name, dispatcher);
        await using IConnection peer = await Admin.ConnectAsync("TinyRpc call context test peer");
        await using IChannel channel = await peer.CreateChannelAsync();
        string replyQueue = (await channel.QueueDeclareAsync(string.Empty, durable: false, exclusive: true, autoDelete: true)).QueueName;
        var replies = Channel.CreateUnbounded<(string? CorrelationId, byte[] Body)>();
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, e) =>
        {
            replies.Writer.TryWrite((e.BasicProperties.CorrelationId, e.Body.ToArray()));
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(replyQueue, autoAck: true, consumer);

        var properties = new BasicProperties
        {
            CorrelationId = "call-42",
            ReplyTo = replyQueue,
            Headers = new Dictionary<string, object?> { ["tenant"] = Encoding.UTF8.GetBytes("acme") },
        };
        await channel.BasicPublishAsync(string.Empty, queue.Name, mandatory: false, properties, """{"jsonrpc":"2.0","method":"whoami","id":1}"""u8.ToArray());

        (string? correlationId, string? replyTo, string? tenant, string method, bool hasConnection) = await seen.Task.WaitAsync(TestService.Limit);
        Assert.Equal("call-42", correlationId);
        Assert.Equal(replyQueue, replyTo);
        Assert.Equal("acme", tenant);
        Assert.Equal("whoami", method);
        Assert.False(hasConnection);

        (string? CorrelationId, byte[] Body) reply = await replies.Reader.ReadAsync().AsTask().WaitAsync(TestService.Limit);
        Assert.Equal("call-42", reply.CorrelationId);
        Assert.Equal("""{"jsonrpc":"2.0","id":1,"result":"acme"}""", Encoding.UTF8.GetString(reply.Body));
    }

    [Fact]
    public void A_call_that_came_another_way_has_no_properties()
    {
        var request = (Protocols.RpcRequest)new JsonRpcProtocol().ParseRequest("""{"jsonrpc":"2.0","method":"m","id":1}"""u8.ToArray());

        Assert.Null(RpcCallContext.Of(request, CancellationToken.None).GetBasicProperties());
    }
}
