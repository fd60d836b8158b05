using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Nerdbank.Streams;
using OpenTelemetry.Metrics;
using StreamJsonRpc;
using TinyRpc.AspNetCore;
using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Protocols.MsgPackRpc;
using TinyRpc.Server;
using TinyRpc.Tests;
using TinyRpc.Tests.Streaming;

namespace TinyRpc.AspNetCore.Tests;

/// <summary>
/// Spans and duration histograms, read through the real OpenTelemetry SDK: kinds, names and attributes as the RPC
/// conventions give them, and the server's span a child of the client's across each transport (HTTP over Kestrel,
/// WebSocket, TCP, in memory, StreamJsonRpc on the other end). Each test reads only its own trace or method names.
/// </summary>
public sealed class TelemetryTests
{
    private static readonly TimeSpan Limit = KestrelHost.Limit;

    private static string Unique(string name) => $"{name}_{Guid.NewGuid():N}";

    private static JsonRpcProtocol Propagating() => new(new JsonRpcProtocolOptions { PropagateTraceContext = true });

    private static RpcDispatcher Adder(string method)
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.AddMethod((int a, int b) => a + b, method);
        return dispatcher;
    }

    private static object? Tag(Activity span, string name) => span.GetTagItem(name);

    [Fact]
    public async Task An_HTTP_call_has_a_client_span_and_a_server_span_that_is_its_child_across_the_wire()
    {
        using var telemetry = new TelemetryCapture();
        string method = Unique("add");
        await using KestrelHost host = await KestrelHost.StartAsync(app => app.MapTinyRpc("/rpc", Adder(method), new JsonRpcProtocol()));
        using var client = new RpcClient(new JsonRpcProtocol(), new HttpPostClientTransport(host.Http("/rpc")));

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

        foreach (Activity span in spans)
        {
            Assert.Equal(method, span.DisplayName);
            Assert.Equal("jsonrpc", Tag(span, "rpc.system.name"));
            Assert.Equal(method, Tag(span, "rpc.method"));
            Assert.Equal("2.0", Tag(span, "jsonrpc.protocol.version"));
            Assert.NotNull(Tag(span, "jsonrpc.request.id"));
            Assert.Null(Tag(span, "error.type"));
            Assert.Equal(ActivityStatusCode.Unset, span.Status);
        }

        Assert.Equal(Tag(clientSpan, "jsonrpc.request.id"), Tag(serverSpan, "jsonrpc.request.id"));
        Assert.Equal("127.0.0.1", Tag(clientSpan, "server.address"));
        Assert.Equal(host.BaseAddress.Port, Tag(clientSpan, "server.port"));

        // Both histograms, in seconds, with the conventions' bucket boundaries and attributes.
        (string unit, MetricPoint point) = Assert.Single(telemetry.Points("rpc.client.call.duration", t => Equals(t.GetValueOrDefault("rpc.method"), method)));
        Assert.Equal("s", unit);
        Assert.Equal(1, point.GetHistogramCount());
        IReadOnlyDictionary<string, object?> tags = TelemetryCapture.TagsOf(point);
        Assert.Equal("jsonrpc", tags["rpc.system.name"]);
        Assert.Equal("127.0.0.1", tags["server.address"]);
        Assert.Equal(host.BaseAddress.Port, Convert.ToInt32(tags["server.port"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.False(tags.ContainsKey("error.type"));
        var bounds = new List<double>();
        foreach (HistogramBucket bucket in point.GetHistogramBuckets())
        {
            bounds.Add(bucket.ExplicitBound);
        }

        Assert.Equal([0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, double.PositiveInfinity], bounds);

        (unit, point) = Assert.Single(telemetry.Points("rpc.server.call.duration", t => Equals(t.GetValueOrDefault("rpc.method"), method)));
        Assert.Equal("s", unit);
        Assert.Equal(1, point.GetHistogramCount());
        Assert.Equal("jsonrpc", TelemetryCapture.TagsOf(point)["rpc.system.name"]);
    }

    [Fact]
    public async Task Through_an_HttpServerTransport_the_server_span_is_the_child_of_the_client_span()
    {
        // The server answers on its own loop, away from the request: the context is read from what the request brought.
        using var telemetry = new TelemetryCapture();
        string method = Unique("add");
        var transport = new HttpServerTransport("application/json");
        await using KestrelHost host = await KestrelHost.StartAsync(app => app.MapTinyRpc("/rpc", transport));
        var server = new RpcServer(transport, new JsonRpcProtocol(), Adder(method));
        using var stop = new CancellationTokenSource();
        Task serving = server.ServeForeverAsync(stop.Token);
        using var client = new RpcClient(new JsonRpcProtocol(), new HttpPostClientTransport(host.Http("/rpc")));

        Activity root = TelemetryCapture.StartRoot();
        using (root)
        {
            Assert.Equal(5, await client.CallAsync<int>(method, 2, 3).WaitAsync(Limit));
        }

        List<Activity> spans = await telemetry.WaitForSpansAsync(s => s.TraceId == root.TraceId, 2);
        Activity clientSpan = Assert.Single(spans, s => s.Kind == ActivityKind.Client);
        Activity serverSpan = Assert.Single(spans, s => s.Kind == ActivityKind.Server);
        Assert.Equal(clientSpan.SpanId, serverSpan.ParentSpanId);
        await stop.CancelAsync();
        await serving.WaitAsync(Limit);
    }

    [Fact]
    public async Task An_error_reply_sets_error_type_and_status_code_to_its_code_on_both_sides()
    {
        using var telemetry = new TelemetryCapture();
        string method = Unique("fail");
        var dispatcher = new RpcDispatcher();
        dispatcher.AddMethod(new Action(() => throw new RpcException(-32042, "no luck")), method);
        await using KestrelHost host = await KestrelHost.StartAsync(app => app.MapTinyRpc("/rpc", dispatcher, new JsonRpcProtocol()));
        using var client = new RpcClient(new JsonRpcProtocol(), new HttpPostClientTransport(host.Http("/rpc")));

        Activity root = TelemetryCapture.StartRoot();
        using (root)
        {
            RpcException thrown = await Assert.ThrowsAnyAsync<RpcException>(() => client.CallAsync(method).WaitAsync(Limit));
            Assert.Equal(-32042, thrown.Code);
        }

        List<Activity> spans = await telemetry.WaitForSpansAsync(s => s.TraceId == root.TraceId, 2);
        Assert.Equal([ActivityKind.Server, ActivityKind.Client], spans.Select(s => s.Kind).Order());
        foreach (Activity span in spans)
        {
            Assert.Equal("-32042", Tag(span, "error.type"));
            Assert.Equal("-32042", Tag(span, "rpc.status_code"));
            Assert.Equal(ActivityStatusCode.Error, span.Status);
            Assert.Equal("no luck", span.StatusDescription);
        }

        (_, MetricPoint point) = Assert.Single(telemetry.Points("rpc.server.call.duration", t => Equals(t.GetValueOrDefault("rpc.method"), method)));
        Assert.Equal("-32042", TelemetryCapture.TagsOf(point)["error.type"]);
        Assert.Equal("-32042", TelemetryCapture.TagsOf(point)["rpc.status_code"]);
    }

    [Fact]
    public async Task A_method_the_server_does_not_serve_is_OTHER_on_the_server_and_its_span_is_named_after_the_system()
    {
        using var telemetry = new TelemetryCapture();
        string served = Unique("add");
        string missing = Unique("missing");
        await using KestrelHost host = await KestrelHost.StartAsync(app => app.MapTinyRpc("/rpc", Adder(served), new JsonRpcProtocol()));
        using var client = new RpcClient(new JsonRpcProtocol(), new HttpPostClientTransport(host.Http("/rpc")));

        Activity root = TelemetryCapture.StartRoot();
        using (root)
        {
            await Assert.ThrowsAnyAsync<RpcException>(() => client.CallAsync(missing).WaitAsync(Limit));
        }

        List<Activity> spans = await telemetry.WaitForSpansAsync(s => s.TraceId == root.TraceId, 2);
        Activity serverSpan = Assert.Single(spans, s => s.Kind == ActivityKind.Server);
        Assert.Equal("jsonrpc", serverSpan.DisplayName);
        Assert.Equal("_OTHER", Tag(serverSpan, "rpc.method"));
        Assert.Equal(missing, Tag(serverSpan, "rpc.method_original"));
        Assert.Equal("-32601", Tag(serverSpan, "error.type"));

        // The client names the method its caller asked for.
        Activity clientSpan = Assert.Single(spans, s => s.Kind == ActivityKind.Client);
        Assert.Equal(missing, clientSpan.DisplayName);

        Assert.Empty(telemetry.Points("rpc.server.call.duration", t => Equals(t.GetValueOrDefault("rpc.method"), missing)));
        Assert.NotEmpty(telemetry.Points("rpc.server.call.duration", t => Equals(t.GetValueOrDefault("rpc.method"), "_OTHER") && Equals(t.GetValueOrDefault("error.type"), "-32601")));
    }

    [Fact]
    public async Task A_transport_failure_sets_error_type_to_the_exception_type()
    {
        using var telemetry = new TelemetryCapture();
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var client = new RpcClient(new JsonRpcProtocol(), new HttpPostClientTransport(new Uri($"http://127.0.0.1:{closedPort}/rpc")));
        string method = Unique("unreachable");

        Activity root = TelemetryCapture.StartRoot();
        using (root)
        {
            await Assert.ThrowsAsync<RpcTransportException>(() => client.CallAsync(method).WaitAsync(Limit));
        }

        Activity span = Assert.Single(await telemetry.WaitForSpansAsync(s => s.TraceId == root.TraceId, 1));
        Assert.Equal(ActivityKind.Client, span.Kind);
        Assert.Equal(typeof(RpcTransportException).FullName, Tag(span, "error.type"));
        Assert.Null(Tag(span, "rpc.status_code"));
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        (_, MetricPoint point) = Assert.Single(telemetry.Points("rpc.client.call.duration", t => Equals(t.GetValueOrDefault("rpc.method"), method)));
        Assert.Equal(typeof(RpcTransportException).FullName, TelemetryCapture.TagsOf(point)["error.type"]);
    }

    [Fact]
    public async Task Over_TCP_the_trace_context_crosses_in_the_request_only_when_the_client_opts_in()
    {
        using var telemetry = new TelemetryCapture();
        string method = Unique("add");
        var transport = TcpServerTransport.Loopback();
        var server = new RpcServer(transport, new JsonRpcProtocol(), Adder(method));
        using var stop = new CancellationTokenSource();
        Task serving = server.ServeForeverAsync(stop.Token);
        try
        {
            int port = transport.LocalEndPoint.Port;
            await using var propagating = new RpcClient(Propagating(), await StreamClientTransport.ConnectTcpAsync("127.0.0.1", port));
            await using var plain = new RpcClient(new JsonRpcProtocol(), await StreamClientTransport.ConnectTcpAsync("127.0.0.1", port));

            Activity withContext = TelemetryCapture.StartRoot();
            using (withContext)
            {
                Assert.Equal(3, await propagating.CallAsync<int>(method, 1, 2).WaitAsync(Limit));
            }

            List<Activity> spans = await telemetry.WaitForSpansAsync(s => s.TraceId == withContext.TraceId, 2);
            Activity clientSpan = Assert.Single(spans, s => s.Kind == ActivityKind.Client);
            Activity serverSpan = Assert.Single(spans, s => s.Kind == ActivityKind.Server);
            Assert.Equal(clientSpan.SpanId, serverSpan.ParentSpanId);
            Assert.Equal("127.0.0.1", Tag(clientSpan, "server.address"));
            Assert.Equal(port, Tag(clientSpan, "server.port"));

            Activity without = TelemetryCapture.StartRoot();
            using (without)
            {
                Assert.Equal(7, await plain.CallAsync<int>(method, 3, 4).WaitAsync(Limit));
            }

            Assert.Single(await telemetry.WaitForSpansAsync(s => s.TraceId == without.TraceId, 1), s => s.Kind == ActivityKind.Client);

            // The server's span of that call began a trace of its own: nothing told it the caller's.
            List<Activity> servers = await telemetry.WaitForSpansAsync(s => s.Kind == ActivityKind.Server && s.DisplayName == method, 2);
            Activity unparented = Assert.Single(servers, s => s.TraceId != withContext.TraceId);
            Assert.Equal(default, unparented.ParentSpanId);
        }
        finally
        {
            await stop.CancelAsync();
            await serving.WaitAsync(Limit);
            await transport.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_stream_is_one_call_the_messages_that_pull_its_values_have_no_server_span()
    {
        using var telemetry = new TelemetryCapture();
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterInstance(new StreamingService());
        var transport = TcpServerTransport.Loopback();
        var server = new RpcServer(transport, new JsonRpcProtocol(), dispatcher);
        using var stop = new CancellationTokenSource();
        Task serving = server.ServeForeverAsync(stop.Token);
        try
        {
            await using var client = new RpcConnection(Propagating(), await StreamClientTransport.ConnectTcpAsync("127.0.0.1", transport.LocalEndPoint.Port));
            Activity root = TelemetryCapture.StartRoot();
            var values = new List<int>();
            using (root)
            {
                await foreach (int value in client.GetProxy<IStreamingService>().CountAsync(3).WithCancellation(TestContext.Current.CancellationToken))
                {
                    values.Add(value);
                }
            }

            Assert.Equal([0, 1, 2], values);

            // The call that opened the stream has its server span; a probe call made after the stream ended has its
            // own, so once it is there every span the stream's messages could have made would be there too.
            await telemetry.WaitForSpansAsync(s => s.TraceId == root.TraceId && s.Kind == ActivityKind.Server, 1);
            Assert.Equal(3, await client.CallAsync<int>("produced").WaitAsync(Limit));
            await telemetry.WaitForSpansAsync(s => s.Kind == ActivityKind.Server && Equals(Tag(s, "rpc.method"), "produced") && s.TraceId != root.TraceId, 1);
            Assert.Empty(telemetry.Spans(s => s.Kind == ActivityKind.Server
                && (s.DisplayName.StartsWith("$/", StringComparison.Ordinal) || (Tag(s, "rpc.method_original") as string ?? "").StartsWith("$/", StringComparison.Ordinal))
                && s.TraceId == root.TraceId));
            Assert.Single(telemetry.Spans(s => s.Kind == ActivityKind.Server && s.TraceId == root.TraceId));
        }
        finally
        {
            await stop.CancelAsync();
            await serving.WaitAsync(Limit);
            await transport.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_connection_serves_calls_outside_the_trace_it_was_made_in()
    {
        using var telemetry = new TelemetryCapture();
        string serverMethod = Unique("add");
        string clientMethod = Unique("echo");
        var transport = TcpServerTransport.Loopback();
        var server = new RpcServer(transport, new JsonRpcProtocol(), Adder(serverMethod));
        using var stop = new CancellationTokenSource();
        Task serving = server.ServeForeverAsync(stop.Token);
        try
        {
            var clientSide = new RpcDispatcher();
            clientSide.AddMethod((string text) => text, clientMethod);
            string heardMethod = Unique("heard");
            var heard = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            clientSide.AddMethod(new Action(() => heard.TrySetResult()), heardMethod);

            // The connection is made, and makes its first call, inside a trace: its receive loop starts there.
            Activity first = TelemetryCapture.StartRoot();
            RpcConnection connection;
            using (first)
            {
                connection = new RpcConnection(new JsonRpcProtocol(), await StreamClientTransport.ConnectTcpAsync("127.0.0.1", transport.LocalEndPoint.Port), clientSide);
                Assert.Equal(3, await connection.CallAsync<int>(serverMethod, 1, 2).WaitAsync(Limit));
            }

            await using var disposing = connection;
            Activity firstCall = Assert.Single(await telemetry.WaitForSpansAsync(s => s.TraceId == first.TraceId && s.Kind == ActivityKind.Client, 1));

            // Later the server calls the client, in no trace: the client's span of it must not join the first call's.
            Assert.Null(Activity.Current);
            Assert.Equal("back", await Assert.Single(server.Connections).CallAsync<string>(clientMethod, "back").WaitAsync(Limit));
            await Assert.Single(server.Connections).NotifyAsync(heardMethod).WaitAsync(Limit);
            await heard.Task.WaitAsync(Limit);
            foreach (string method in new[] { clientMethod, heardMethod })
            {
                Activity served = Assert.Single(await telemetry.WaitForSpansAsync(s => s.Kind == ActivityKind.Server && s.DisplayName == method, 1));
                Assert.NotEqual(firstCall.SpanId, served.ParentSpanId);
                Assert.NotEqual(first.TraceId, served.TraceId);
            }
        }
        finally
        {
            await stop.CancelAsync();
            await serving.WaitAsync(Limit);
            await transport.DisposeAsync();
        }
    }

    [Fact]
    public async Task In_memory_a_notification_has_spans_without_a_request_id()
    {
        using var telemetry = new TelemetryCapture();
        string method = Unique("heard");
        var heard = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var dispatcher = new RpcDispatcher();
        dispatcher.AddMethod((string text) => heard.TrySetResult(text), method);
        (InMemoryClientTransport clientEnd, InMemoryServerTransport serverEnd) = InMemoryTransport.CreatePair();
        var server = new RpcServer(serverEnd, new JsonRpcProtocol(), dispatcher);
        using var stop = new CancellationTokenSource();
        Task serving = server.ServeForeverAsync(stop.Token);
        await using (var client = new RpcClient(Propagating(), clientEnd))
        {
            Activity root = TelemetryCapture.StartRoot();
            using (root)
            {
                await client.NotifyAsync(method, ["hello"]).WaitAsync(Limit);
            }

            Assert.Equal("hello", await heard.Task.WaitAsync(Limit));
            List<Activity> spans = await telemetry.WaitForSpansAsync(s => s.TraceId == root.TraceId, 2);
            Activity clientSpan = Assert.Single(spans, s => s.Kind == ActivityKind.Client);
            Activity serverSpan = Assert.Single(spans, s => s.Kind == ActivityKind.Server);
            Assert.Equal(clientSpan.SpanId, serverSpan.ParentSpanId);
            Assert.All(spans, s => Assert.Null(Tag(s, "jsonrpc.request.id")));
            Assert.All(spans, s => Assert.Equal(method, Tag(s, "rpc.method")));
        }

        await stop.CancelAsync();
        await serving.WaitAsync(Limit);
    }

    [Fact]
    public async Task MSGPACK_RPC_calls_are_reported_under_their_own_system_name()
    {
        using var telemetry = new TelemetryCapture();
        string method = Unique("add");
        (InMemoryClientTransport clientEnd, InMemoryServerTransport serverEnd) = InMemoryTransport.CreatePair();
        var server = new RpcServer(serverEnd, new MessagePackRpcProtocol(), Adder(method));
        using var stop = new CancellationTokenSource();
        Task serving = server.ServeForeverAsync(stop.Token);
        await using (var client = new RpcClient(new MessagePackRpcProtocol(), clientEnd))
        {
            Assert.Equal(9, await client.CallAsync<int>(method, 4, 5).WaitAsync(Limit));
            List<Activity> spans = await telemetry.WaitForSpansAsync(s => Equals(Tag(s, "rpc.method"), method), 2);
            Assert.All(spans, s => Assert.Equal("msgpackrpc", Tag(s, "rpc.system.name")));
            Assert.All(spans, s => Assert.Null(Tag(s, "jsonrpc.protocol.version")));
            Assert.Equal([ActivityKind.Server, ActivityKind.Client], spans.Select(s => s.Kind).Order());
        }

        (_, MetricPoint point) = Assert.Single(telemetry.Points("rpc.client.call.duration", t => Equals(t.GetValueOrDefault("rpc.method"), method)));
        Assert.Equal("msgpackrpc", TelemetryCapture.TagsOf(point)["rpc.system.name"]);
        await stop.CancelAsync();
        await serving.WaitAsync(Limit);
    }

    [Fact]
    public async Task Over_a_WebSocket_call_spans_link_to_the_connection_and_are_children_of_the_call_only_with_the_opt_in()
    {
        using var telemetry = new TelemetryCapture();
        string method = Unique("add");
        var transport = new WebSocketServerTransport();
        await using KestrelHost host = await KestrelHost.StartAsync(app =>
        {
            app.UseWebSockets();
            app.MapTinyRpcWebSocket(transport);
        });
        var server = new RpcServer(transport, new JsonRpcProtocol(), Adder(method));
        using var stop = new CancellationTokenSource();
        Task serving = server.ServeForeverAsync(stop.Token);
        try
        {
            foreach (bool optIn in new[] { false, true })
            {
                Activity connect = TelemetryCapture.StartRoot("connect");
                WebSocketClientTransport channel;
                using (connect)
                {
                    channel = await WebSocketClientTransport.ConnectAsync(host.Ws("/ws"));
                }

                await using var client = new RpcClient(optIn ? Propagating() : new JsonRpcProtocol(), channel);
                Activity call = TelemetryCapture.StartRoot("call");
                using (call)
                {
                    Assert.Equal(2, await client.CallAsync<int>(method, 1, 1).WaitAsync(Limit));
                }

                Activity clientSpan = Assert.Single(await telemetry.WaitForSpansAsync(s => s.TraceId == call.TraceId && s.Kind == ActivityKind.Client, 1));
                Activity serverSpan = Assert.Single(await telemetry.WaitForSpansAsync(
                    s => s.Kind == ActivityKind.Server && s.DisplayName == method && s.Links.Any(l => l.Context.TraceId == connect.TraceId), 1));
                ActivityLink link = Assert.Single(serverSpan.Links);
                Assert.Equal(connect.SpanId, link.Context.SpanId);
                if (optIn)
                {
                    Assert.Equal(clientSpan.SpanId, serverSpan.ParentSpanId);
                }
                else
                {
                    Assert.NotEqual(call.TraceId, serverSpan.TraceId);
                    Assert.Equal(default, serverSpan.ParentSpanId);
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
            await serving.WaitAsync(Limit);
        }
    }

    [Fact]
    public async Task StreamJsonRpc_with_its_activity_tracing_strategy_and_TinyRpc_continue_each_others_traces_over_a_stream()
    {
        using var telemetry = new TelemetryCapture();
        using var sjrSource = new ActivitySource(TelemetryCapture.TestSourceName);
        string tinyMethod = Unique("add");
        (Stream sjrEnd, Stream tinyEnd) = FullDuplexStream.CreatePair();
        var sjr = new JsonRpc(new HeaderDelimitedMessageHandler(sjrEnd, sjrEnd, new JsonMessageFormatter()))
        {
            ActivityTracingStrategy = new ActivityTracingStrategy(sjrSource),
        };
        sjr.AddLocalRpcMethod("sjrEcho", new Func<string, string>(text => "echo " + text));
        sjr.StartListening();
        await using var connection = new RpcConnection(Propagating(), new StreamClientTransport(tinyEnd), Adder(tinyMethod));
        try
        {
            // TinyRpc calls: StreamJsonRpc's activity for the call names TinyRpc's client span, read from the request's
            // traceparent member, as its parent. (StreamJsonRpc 2.26 gives that activity a trace id of its own: it keeps
            // the parent as an id string only.)
            Activity root = TelemetryCapture.StartRoot();
            using (root)
            {
                Assert.Equal("echo hi", await connection.CallAsync<string>("sjrEcho", "hi").WaitAsync(Limit));
            }

            Activity clientSpan = Assert.Single(await telemetry.WaitForSpansAsync(s => s.TraceId == root.TraceId, 1));
            Activity sjrSpan = await WaitForForeignSpanAsync(s => s.DisplayName == "sjrEcho" && s.ParentId == clientSpan.Id);
            Assert.Equal(ActivityKind.Server, sjrSpan.Kind);

            // StreamJsonRpc calls: TinyRpc's server span is the child of the activity the StreamJsonRpc caller ran in.
            Activity caller = TelemetryCapture.StartRoot("sjr caller");
            using (caller)
            {
                Assert.Equal(5, await sjr.InvokeAsync<int>(tinyMethod, 2, 3).WaitAsync(Limit));
            }

            Activity serverSpan = Assert.Single(await telemetry.WaitForSpansAsync(s => s.TraceId == caller.TraceId && s.Kind == ActivityKind.Server, 1));
            Assert.Equal(caller.SpanId, serverSpan.ParentSpanId);
            Assert.Equal(tinyMethod, serverSpan.DisplayName);
        }
        finally
        {
            sjr.Dispose();
        }

        async Task<Activity> WaitForForeignSpanAsync(Func<Activity, bool> match)
        {
            using var timeout = new CancellationTokenSource(Limit);
            while (true)
            {
                if (telemetry.AllSpans(s => s.Source.Name == TelemetryCapture.TestSourceName && match(s)).FirstOrDefault() is { } found)
                {
                    return found;
                }

                if (timeout.IsCancellationRequested)
                {
                    Assert.Fail(string.Join("\n", telemetry.AllSpans(_ => true).Select(s => $"{s.Source.Name} {s.DisplayName} {s.OperationName} {s.TraceId} {s.ParentSpanId} {s.Kind}")));
                }

                await Task.Delay(20, CancellationToken.None);
            }
        }
    }
}
