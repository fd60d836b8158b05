using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using StreamJsonRpc;
using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Protocols.MsgPackRpc;
using TinyRpc.Server;
using TinyRpc.Tests.Streaming;
using TinyRpc.Transports;

namespace TinyRpc.AspNetCore.Tests;

/// <summary>
/// Streams and progress reports with StreamJsonRpc on the other end of a real TCP connection (Content-Length framing,
/// StreamJsonRpc's <see cref="HeaderDelimitedMessageHandler"/>), in both directions and with both of its JSON
/// formatters; over WebSockets served by Kestrel; and over HTTP, which cannot carry them.
/// </summary>
public sealed class StreamingInteropTests
{
    private static readonly TimeSpan Limit = KestrelHost.Limit;

    public static TheoryData<string> Formatters => ["SystemTextJson", "Default"];

    private static IJsonRpcMessageFormatter Formatter(string kind)
        => kind == "SystemTextJson" ? new SystemTextJsonFormatter() : new JsonMessageFormatter();

    // ---- StreamJsonRpc consumes TinyRpc's streams and progress ----------------------------------------------------

    [Theory]
    [MemberData(nameof(Formatters))]
    public async Task StreamJsonRpc_enumerates_a_TinyRpc_stream_over_tcp(string formatter)
    {
        var service = new StreamingService();
        await using TinyServer server = TinyServer.Start(service);
        using JsonRpc sjr = await server.ConnectStreamJsonRpcAsync(formatter);

        var values = new List<int>();
        IAsyncEnumerable<int> stream = await sjr.InvokeWithCancellationAsync<IAsyncEnumerable<int>>("count", [30], TestContext.Current.CancellationToken);
        await foreach (int value in stream)
        {
            values.Add(value);
        }

        Assert.Equal(Enumerable.Range(0, 30), values);
        await service.Disposed.WaitAsync(Limit);
    }

    [Theory]
    [MemberData(nameof(Formatters))]
    public async Task StreamJsonRpc_disposing_a_TinyRpc_stream_early_stops_the_producer(string formatter)
    {
        var service = new StreamingService();
        await using TinyServer server = TinyServer.Start(service);
        using JsonRpc sjr = await server.ConnectStreamJsonRpcAsync(formatter);

        IAsyncEnumerable<int> stream = await sjr.InvokeWithCancellationAsync<IAsyncEnumerable<int>>("endless", [], TestContext.Current.CancellationToken);
        await using (IAsyncEnumerator<int> values = stream.GetAsyncEnumerator(TestContext.Current.CancellationToken))
        {
            for (int i = 0; i < 5; i++)
            {
                Assert.True(await values.MoveNextAsync().AsTask().WaitAsync(Limit));
                Assert.Equal(i, values.Current);
            }

            // Back-pressure seen from StreamJsonRpc too: the producer made what was taken.
            Assert.Equal(5, await sjr.InvokeWithCancellationAsync<int>("produced", [], TestContext.Current.CancellationToken).WaitAsync(Limit));
        }

        await service.Cancelled.WaitAsync(Limit);
        await service.Disposed.WaitAsync(Limit);
    }

    [Theory]
    [MemberData(nameof(Formatters))]
    public async Task StreamJsonRpc_receives_TinyRpc_progress_in_order_before_the_result(string formatter)
    {
        await using TinyServer server = TinyServer.Start(new StreamingService());
        using JsonRpc sjr = await server.ConnectStreamJsonRpcAsync(formatter);
        var progress = new RecordingProgress<int>();

        int result = await sjr.InvokeWithCancellationAsync<int>("work", [40, progress], TestContext.Current.CancellationToken).WaitAsync(Limit);

        Assert.Equal(40, result);
        Assert.Equal(Enumerable.Range(1, 40), progress.Reports);
    }

    // ---- TinyRpc consumes StreamJsonRpc's streams and progress ----------------------------------------------------

    [Theory]
    [MemberData(nameof(Formatters))]
    public async Task A_TinyRpc_proxy_enumerates_a_StreamJsonRpc_stream_over_tcp(string formatter)
    {
        var target = new StreamingService();
        await using SjrServer server = await SjrServer.StartAsync(target, formatter);
        await using RpcConnection client = await server.ConnectAsync();

        var values = new List<int>();
        await foreach (int value in client.GetProxy<IStreamingService>().CountAsync(30))
        {
            values.Add(value);
        }

        Assert.Equal(Enumerable.Range(0, 30), values);
        await target.Disposed.WaitAsync(Limit);
    }

    [Theory]
    [MemberData(nameof(Formatters))]
    public async Task A_TinyRpc_proxy_disposing_a_StreamJsonRpc_stream_early_stops_its_producer(string formatter)
    {
        var target = new StreamingService();
        await using SjrServer server = await SjrServer.StartAsync(target, formatter);
        await using RpcConnection client = await server.ConnectAsync();
        IStreamingService proxy = client.GetProxy<IStreamingService>();

        await using (IAsyncEnumerator<int> values = proxy.EndlessAsync().GetAsyncEnumerator())
        {
            for (int i = 0; i < 5; i++)
            {
                Assert.True(await values.MoveNextAsync().AsTask().WaitAsync(Limit));
                Assert.Equal(i, values.Current);
            }
        }

        await target.Cancelled.WaitAsync(Limit);
        await target.Disposed.WaitAsync(Limit);
    }

    [Theory]
    [MemberData(nameof(Formatters))]
    public async Task A_TinyRpc_proxy_cancelling_a_StreamJsonRpc_stream_stops_its_producer(string formatter)
    {
        var target = new StreamingService();
        await using SjrServer server = await SjrServer.StartAsync(target, formatter);
        await using RpcConnection client = await server.ConnectAsync();
        using var cancel = new CancellationTokenSource();

        IAsyncEnumerator<string> values = client.GetProxy<IStreamingService>().StallAsync(1, cancel.Token).GetAsyncEnumerator();
        Assert.True(await values.MoveNextAsync().AsTask().WaitAsync(Limit));
        Task<bool> waiting = values.MoveNextAsync().AsTask();
        await target.Stalled.WaitAsync(Limit);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Limit));
        await values.DisposeAsync();
        await target.Cancelled.WaitAsync(Limit);
        await target.Disposed.WaitAsync(Limit);
    }

    [Theory]
    [MemberData(nameof(Formatters))]
    public async Task A_TinyRpc_proxy_receives_StreamJsonRpc_progress_in_order_before_the_result(string formatter)
    {
        await using SjrServer server = await SjrServer.StartAsync(new StreamingService(), formatter);
        await using RpcConnection client = await server.ConnectAsync();
        var progress = new RecordingProgress<int>();

        int result = await client.GetProxy<IStreamingService>().WorkAsync(40, progress).WaitAsync(Limit);

        Assert.Equal(40, result);
        Assert.Equal(Enumerable.Range(1, 40), progress.Reports);
    }

    // ---- WebSocket --------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("jsonrpc")]
    [InlineData("msgpack")]
    public async Task Streams_and_progress_over_web_sockets(string protocolName)
    {
        RpcProtocol Protocol() => protocolName == "msgpack" ? new MessagePackRpcProtocol() : new JsonRpcProtocol();
        var messageType = protocolName == "msgpack" ? System.Net.WebSockets.WebSocketMessageType.Binary : System.Net.WebSockets.WebSocketMessageType.Text;
        var transport = new WebSocketServerTransport(new WebSocketServerOptions { MessageType = messageType });
        await using KestrelHost host = await KestrelHost.StartAsync(app =>
        {
            app.UseWebSockets();
            app.MapTinyRpcWebSocket(transport);
        });
        var service = new StreamingService();
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterInstance(service);
        var server = new RpcServer(transport, Protocol(), dispatcher);
        using var stop = new CancellationTokenSource();
        Task serving = server.ServeForeverAsync(stop.Token);

        await using (var connection = new RpcConnection(Protocol(), await WebSocketClientTransport.ConnectAsync(host.Ws("/ws"), messageType)))
        {
            IStreamingService proxy = connection.GetProxy<IStreamingService>();
            var values = new List<int>();
            await foreach (int value in proxy.CountAsync(20))
            {
                values.Add(value);
            }

            Assert.Equal(Enumerable.Range(0, 20), values);

            var progress = new RecordingProgress<int>();
            Assert.Equal(30, await proxy.WorkAsync(30, progress).WaitAsync(Limit));
            Assert.Equal(Enumerable.Range(1, 30), progress.Reports);

            IAsyncEnumerator<int> endless = proxy.EndlessAsync().GetAsyncEnumerator();
            Assert.True(await endless.MoveNextAsync().AsTask().WaitAsync(Limit));
            Assert.Equal(1, Assert.Single(server.Connections).OpenStreams);
        }

        // The client left with a stream open: the server's side disposed it.
        await service.Cancelled.WaitAsync(Limit);
        await stop.CancelAsync();
        await serving.WaitAsync(Limit);
    }

    // ---- HTTP: no connection to carry them ------------------------------------------------------------------------

    [Fact]
    public async Task A_stream_called_over_HTTP_is_answered_with_a_clear_error()
    {
        await using KestrelHost host = await KestrelHost.StartAsync(app =>
        {
            var dispatcher = new RpcDispatcher();
            dispatcher.RegisterInstance(new StreamingService());
            app.MapTinyRpc("/rpc", dispatcher, new JsonRpcProtocol());
        });
        using var http = new HttpClient();

        using HttpResponseMessage response = await http.PostAsync(host.Http("/rpc"),
            new StringContent("""{"jsonrpc":"2.0","id":1,"method":"count","params":[3]}""", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken).WaitAsync(Limit);
        using JsonDocument reply = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        JsonElement error = reply.RootElement.GetProperty("error");
        Assert.Equal(RpcErrorCodes.ServerError, error.GetProperty("code").GetInt32());
        Assert.Contains("returns a stream, which needs a connection that carries calls both ways", error.GetProperty("message").GetString(), StringComparison.Ordinal);

        // Through a proxy: the enumeration fails with that error at once.
        var protocol = new JsonRpcProtocol();
        await using var client = new RpcClient(protocol, new HttpPostClientTransport(http, host.Http("/rpc"), protocol.ContentType));
        RpcException thrown = await Assert.ThrowsAnyAsync<RpcException>(async () =>
        {
            await foreach (int _ in client.GetProxy<IStreamingService>().CountAsync(3))
            {
            }
        });
        Assert.Contains("needs a connection", thrown.Message, StringComparison.Ordinal);

        // A progress token over HTTP: a clear error, not reports lost on the way.
        using HttpResponseMessage progressed = await http.PostAsync(host.Http("/rpc"),
            new StringContent("""{"jsonrpc":"2.0","id":2,"method":"work","params":[3, 0]}""", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken).WaitAsync(Limit);
        using JsonDocument progressReply = JsonDocument.Parse(await progressed.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Contains("reports progress, which needs a connection", progressReply.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);

        // Without a token the method works over HTTP.
        Assert.Equal(3, await client.CallAsync<int>("work", 3, null).WaitAsync(Limit));

        // And a proxy over a client that sends one request at a time refuses a progress argument.
        Assert.Throws<NotSupportedException>(() => { _ = client.GetProxy<IStreamingService>().WorkAsync(3, new RecordingProgress<int>()); });
    }

    /// <summary>A TinyRpc server over TCP serving <see cref="StreamingService"/>.</summary>
    private sealed class TinyServer : IAsyncDisposable
    {
        private readonly TcpServerTransport _transport;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _serving;
        private readonly List<TcpClient> _clients = [];

        private TinyServer(TcpServerTransport transport, RpcServer server)
        {
            _transport = transport;
            _serving = server.ServeForeverAsync(_stop.Token);
        }

        public static TinyServer Start(StreamingService service)
        {
            var dispatcher = new RpcDispatcher();
            dispatcher.RegisterInstance(service);
            var transport = TcpServerTransport.Loopback();
            return new TinyServer(transport, new RpcServer(transport, new JsonRpcProtocol(), dispatcher));
        }

        public async Task<JsonRpc> ConnectStreamJsonRpcAsync(string formatter)
        {
            var tcp = new TcpClient();
            _clients.Add(tcp);
            await tcp.ConnectAsync(IPAddress.Loopback, _transport.LocalEndPoint.Port);
            NetworkStream stream = tcp.GetStream();
            var sjr = new JsonRpc(new HeaderDelimitedMessageHandler(stream, stream, Formatter(formatter)));
            sjr.StartListening();
            return sjr;
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _transport.DisposeAsync();
            await _serving.WaitAsync(Limit);
            _clients.ForEach(static c => c.Dispose());
            _stop.Dispose();
        }
    }

    /// <summary>A StreamJsonRpc server over TCP whose target is <see cref="StreamingService"/> (method names as TinyRpc's snake case).</summary>
    private sealed class SjrServer : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly Task<JsonRpc> _accepted;

        private SjrServer(TcpListener listener, Task<JsonRpc> accepted)
        {
            _listener = listener;
            _accepted = accepted;
        }

        public static Task<SjrServer> StartAsync(StreamingService target, string formatter)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return Task.FromResult(new SjrServer(listener, AcceptAsync(listener, target, formatter)));
        }

        private static async Task<JsonRpc> AcceptAsync(TcpListener listener, StreamingService target, string formatter)
        {
            TcpClient tcp = await listener.AcceptTcpClientAsync();
            NetworkStream stream = tcp.GetStream();
            var sjr = new JsonRpc(new HeaderDelimitedMessageHandler(stream, stream, Formatter(formatter)));
            sjr.AddLocalRpcTarget(target, new JsonRpcTargetOptions
            {
                MethodNameTransform = static name => (name.EndsWith("Async", StringComparison.Ordinal) ? name[..^5] : name).ToLowerInvariant(),
            });
            sjr.StartListening();
            return sjr;
        }

        public async Task<RpcConnection> ConnectAsync()
            => new(new JsonRpcProtocol(), await StreamClientTransport.ConnectTcpAsync("127.0.0.1", ((IPEndPoint)_listener.LocalEndpoint).Port));

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            if (_accepted.IsCompletedSuccessfully)
            {
                JsonRpc sjr = await _accepted;
                sjr.Dispose();
                await Task.WhenAny(sjr.Completion).WaitAsync(Limit);
            }

            _listener.Dispose();
        }
    }
}
