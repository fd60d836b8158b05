using System.Diagnostics;
using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Tests;
using TinyRpc.Transports;

namespace TinyRpc.RabbitMQ.Tests;

/// <summary>The trace context crosses the broker in AMQP headers: the server's span is the child of the client's.</summary>
public sealed class TelemetryTests
{
    private static readonly TimeSpan Limit = TestService.Limit;

    [Fact]
    public async Task The_server_span_is_the_child_of_the_client_span_through_the_message_headers()
    {
        using var telemetry = new TelemetryCapture();
        await using var testQueue = new TestQueue("telemetry");
        string method = $"add_{Guid.NewGuid():N}";
        var dispatcher = new RpcDispatcher();
        dispatcher.AddMethod((int a, int b) => a + b, method);
        await using RunningServer server = await RunningServer.StartAsync(testQueue.Name, dispatcher);

        // Without the JSON members: only the headers can carry the context.
        await using var client = new RpcClient(new JsonRpcProtocol(), await RabbitMQClientTransport.CreateAsync(RabbitMQBroker.Host, testQueue.Name)) { Timeout = Limit };
        Activity root = TelemetryCapture.StartRoot();
        using (root)
        {
            Assert.Equal(5, await client.CallAsync<int>(method, 2, 3).WaitAsync(Limit));
        }

        List<Activity> spans = await telemetry.WaitForSpansAsync(s => s.TraceId == root.TraceId, 2);
        Activity clientSpan = Assert.Single(spans, s => s.Kind == ActivityKind.Client);
        Activity serverSpan = Assert.Single(spans, s => s.Kind == ActivityKind.Server);
        Assert.Equal(root.SpanId, clientSpan.ParentSpanId);
        Assert.Equal(clientSpan.SpanId, serverSpan.ParentSpanId);
        Assert.All(spans, s => Assert.Equal(method, s.DisplayName));
        Assert.All(spans, s => Assert.Equal("jsonrpc", s.GetTagItem("rpc.system.name")));
    }
}
