using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using TinyRpc.Client;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Server;
using TinyRpc.Transports;

namespace TinyRpc.AspNetCore.Tests;

/// <summary><see cref="WebSocketServerTransport"/> on Kestrel against <see cref="WebSocketClientTransport"/> and raw ClientWebSockets.</summary>
public sealed class WebSocketTests
{
    private sealed class Served : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new(TimeSpan.FromSeconds(60));

        public required KestrelHost Host { get; init; }

        public required WebSocketServerTransport Transport { get; init; }

        public Task Serving { get; private set; } = Task.CompletedTask;

        public static async Task<Served> StartAsync(WebSocketServerOptions? options = null, TestService? service = null)
        {
            var transport = new WebSocketServerTransport(options);
            KestrelHost host = await KestrelHost.StartAsync(app =>
            {
                app.UseWebSockets();
                app.MapTinyRpcWebSocket(transport);
            });
            var server = new RpcServer(transport, new JsonRpcProtocol(), TestService.CreateDispatcher(service ?? new TestService()));
            var served = new Served { Host = host, Transport = transport };
            served.Serving = server.ServeForeverAsync(served._stop.Token);
            return served;
        }

        public async Task WaitForConnectionsAsync(int count)
        {
            using var timeout = new CancellationTokenSource(KestrelHost.Limit);
            while (Transport.ConnectionCount != count)
            {
                await Task.Delay(20, timeout.Token);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await Host.DisposeAsync();
            await Serving.WaitAsync(KestrelHost.Limit);
            _stop.Dispose();
        }
    }

    private static async Task<ClientWebSocket> ConnectRawAsync(Uri uri)
    {
        var socket = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(KestrelHost.Limit);
        await socket.ConnectAsync(uri, timeout.Token);
        return socket;
    }

    private static async Task SendTextAsync(WebSocket socket, string text)
    {
        using var timeout = new CancellationTokenSource(KestrelHost.Limit);
        await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, timeout.Token);
    }

    private static async Task<(string? Text, ValueWebSocketReceiveResult Last)> ReceiveTextAsync(WebSocket socket)
    {
        using var timeout = new CancellationTokenSource(KestrelHost.Limit);
        var buffer = new byte[64 * 1024];
        int count = 0;
        while (true)
        {
            ValueWebSocketReceiveResult result = await socket.ReceiveAsync(buffer.AsMemory(count), timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (null, result);
            }

            count += result.Count;
            if (result.EndOfMessage)
            {
                return (Encoding.UTF8.GetString(buffer, 0, count), result);
            }
        }
    }

    [Fact]
    public async Task Client_transport_calls_over_the_socket()
    {
        await using Served served = await Served.StartAsync();
        await using WebSocketClientTransport socket = await WebSocketClientTransport.ConnectAsync(served.Host.Ws("/ws"));
        await using var client = new RpcClient(new JsonRpcProtocol(), socket);

        Assert.Equal(5, await client.CallAsync<int>("add", 2, 3));
        Assert.Equal("olleh", await client.CallAsync<string>("reverse_string", "hello"));
        await client.NotifyAsync("notify");
        RpcException error = await Assert.ThrowsAnyAsync<RpcException>(() => client.CallAsync<object>("fail"));
        Assert.Equal(99, error.Code);
        Assert.Equal(7, await client.CallAsync<int>("add", 3, 4));
    }

    [Fact]
    public async Task Root_answers_plain_http_and_the_socket_path_wants_a_socket()
    {
        await using Served served = await Served.StartAsync();
        using var http = new HttpClient { Timeout = KestrelHost.Limit };
        using HttpResponseMessage root = await http.GetAsync(served.Host.Http("/"));
        Assert.Equal(HttpStatusCode.OK, root.StatusCode);
        Assert.Equal("Ready for WebSocket connection in /ws", (await root.Content.ReadAsStringAsync()).Trim());

        using HttpResponseMessage plain = await http.GetAsync(served.Host.Http("/ws"));
        Assert.Equal(HttpStatusCode.BadRequest, plain.StatusCode);
        Assert.Contains("WebSocket", await plain.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Thousand_concurrent_calls_on_one_socket_are_matched_by_id()
    {
        await using Served served = await Served.StartAsync();
        await using WebSocketClientTransport socket = await WebSocketClientTransport.ConnectAsync(served.Host.Ws("/ws"));
        await using var client = new RpcClient(new JsonRpcProtocol(), socket) { Timeout = TimeSpan.FromSeconds(60) };

        Task<int>[] calls = Enumerable.Range(0, 1000).Select(i => client.CallAsync<int>("echo_later", i, (i * 7919) % 13)).ToArray();
        int[] results = await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(Enumerable.Range(0, 1000), results);
        Assert.Equal(0, client.PendingCalls);
        Assert.Equal(1, served.Transport.ConnectionCount);
    }

    [Fact]
    public async Task Replies_come_out_of_order()
    {
        await using Served served = await Served.StartAsync();
        using ClientWebSocket socket = await ConnectRawAsync(served.Host.Ws("/ws"));
        await SendTextAsync(socket, """{"jsonrpc":"2.0","method":"wait_gate","id":1}""");
        await SendTextAsync(socket, """{"jsonrpc":"2.0","method":"open_gate","id":2}""");

        (string? first, _) = await ReceiveTextAsync(socket);
        (string? second, _) = await ReceiveTextAsync(socket);
        Assert.Equal("""{"jsonrpc":"2.0","id":2,"result":"opened"}""", first);
        Assert.Equal("""{"jsonrpc":"2.0","id":1,"result":"passed"}""", second);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
    }

    [Fact]
    public async Task Malformed_message_gets_a_parse_error_and_the_socket_stays_open()
    {
        await using Served served = await Served.StartAsync();
        using ClientWebSocket socket = await ConnectRawAsync(served.Host.Ws("/ws"));
        await SendTextAsync(socket, "{\"jsonrpc\":");
        (string? reply, _) = await ReceiveTextAsync(socket);
        using (JsonDocument error = JsonDocument.Parse(reply!))
        {
            Assert.Equal(-32700, error.RootElement.GetProperty("error").GetProperty("code").GetInt32());
        }

        await SendTextAsync(socket, """{"jsonrpc":"2.0","method":"add","params":[1,1],"id":"x"}""");
        (string? ok, _) = await ReceiveTextAsync(socket);
        Assert.Equal("""{"jsonrpc":"2.0","id":"x","result":2}""", ok);
    }

    [Fact]
    public async Task Oversized_message_closes_with_1009()
    {
        await using Served served = await Served.StartAsync(new WebSocketServerOptions { MaxMessageSize = 1024 });
        using ClientWebSocket socket = await ConnectRawAsync(served.Host.Ws("/ws"));
        string big = $$"""{"jsonrpc":"2.0","method":"reverse_string","params":["{{new string('x', 2000)}}"],"id":1}""";
        await SendTextAsync(socket, big);
        (string? text, ValueWebSocketReceiveResult last) = await ReceiveTextAsync(socket);
        Assert.Null(text);
        Assert.Equal(WebSocketMessageType.Close, last.MessageType);
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, socket.CloseStatus);
        Assert.Equal(1009, (int)socket.CloseStatus!.Value);

        await using WebSocketClientTransport next = await WebSocketClientTransport.ConnectAsync(served.Host.Ws("/ws"));
        await using var client = new RpcClient(new JsonRpcProtocol(), next);
        Assert.Equal("cba", await client.CallAsync<string>("reverse_string", "abc"));
    }

    [Fact]
    public async Task Client_transport_sees_the_1009_close_as_a_closed_connection()
    {
        await using Served served = await Served.StartAsync(new WebSocketServerOptions { MaxMessageSize = 512 });
        await using WebSocketClientTransport socket = await WebSocketClientTransport.ConnectAsync(served.Host.Ws("/ws"));
        await using var client = new RpcClient(new JsonRpcProtocol(), socket) { Timeout = KestrelHost.Limit };
        RpcTransportException e = await Assert.ThrowsAsync<RpcTransportException>(() => client.CallAsync<string>("reverse_string", new string('y', 1000)));

        // The call says why: the server's close status and reason.
        Assert.Contains("MessageTooBig (1009)", e.Message);
        Assert.Contains("512 bytes", e.Message);
    }

    [Fact]
    public async Task Client_transport_receives_replies_of_every_size_in_turn()
    {
        // The client gathers each message in a buffer it keeps between messages: it must grow, shrink back
        // after an unusually large message, and never hand out stale bytes of an earlier one.
        await using Served served = await Served.StartAsync(new WebSocketServerOptions { MaxMessageSize = 1 << 20 });
        await using WebSocketClientTransport socket = await WebSocketClientTransport.ConnectAsync(served.Host.Ws("/ws"), maxMessageSize: 1 << 20);
        await using var client = new RpcClient(new JsonRpcProtocol(), socket) { Timeout = KestrelHost.Limit };
        foreach (int size in new[] { 3, 5000, 3, 200_000, 10, 4090, 4100, 70_000, 1 })
        {
            string text = string.Concat(Enumerable.Range(0, size).Select(static i => (char)('a' + (i % 26))));
            string reversed = new(text.Reverse().ToArray());
            Assert.Equal(reversed, await client.CallAsync<string>("reverse_string", text));
        }
    }

    [Fact]
    public async Task Client_transport_refuses_a_reply_larger_than_its_limit()
    {
        await using Served served = await Served.StartAsync();
        await using WebSocketClientTransport socket = await WebSocketClientTransport.ConnectAsync(served.Host.Ws("/ws"), maxMessageSize: 6000);
        await using var client = new RpcClient(new JsonRpcProtocol(), socket) { Timeout = KestrelHost.Limit };
        Assert.Equal("cba", await client.CallAsync<string>("reverse_string", "abc"));
        await Assert.ThrowsAsync<RpcTransportException>(() => client.CallAsync<string>("reverse_string", new string('z', 9000)));
    }

    [Fact]
    public async Task Vanishing_clients_leave_the_server_serving()
    {
        await using Served served = await Served.StartAsync();

        // One vanishes while its call runs, one in the middle of a message, one right after connecting.
        ClientWebSocket running = await ConnectRawAsync(served.Host.Ws("/ws"));
        await SendTextAsync(running, """{"jsonrpc":"2.0","method":"sleep","params":[300],"id":1}""");
        ClientWebSocket partial = await ConnectRawAsync(served.Host.Ws("/ws"));
        await partial.SendAsync(Encoding.UTF8.GetBytes("{\"jsonrpc\":\"2.0\",\"meth"), WebSocketMessageType.Text, false, CancellationToken.None);
        ClientWebSocket idle = await ConnectRawAsync(served.Host.Ws("/ws"));
        await served.WaitForConnectionsAsync(3);

        running.Abort();
        partial.Abort();
        idle.Abort();
        running.Dispose();
        partial.Dispose();
        idle.Dispose();
        await served.WaitForConnectionsAsync(0);

        await using WebSocketClientTransport socket = await WebSocketClientTransport.ConnectAsync(served.Host.Ws("/ws"));
        await using var client = new RpcClient(new JsonRpcProtocol(), socket);
        Assert.True(await client.CallAsync<bool>("sleep", 400));
        Assert.Equal(2, await client.CallAsync<int>("add", 1, 1));
        Assert.False(served.Serving.IsCompleted);
    }

    [Fact]
    public async Task Client_closing_normally_ends_its_connection()
    {
        await using Served served = await Served.StartAsync();
        WebSocketClientTransport socket = await WebSocketClientTransport.ConnectAsync(served.Host.Ws("/ws"));
        await using (var client = new RpcClient(new JsonRpcProtocol(), socket))
        {
            Assert.Equal(2, await client.CallAsync<int>("add", 1, 1));
        }

        await socket.DisposeAsync();
        await served.WaitForConnectionsAsync(0);
    }

    [Fact]
    public async Task Stopping_the_host_closes_open_sockets_with_1001()
    {
        await using Served served = await Served.StartAsync();
        using ClientWebSocket socket = await ConnectRawAsync(served.Host.Ws("/ws"));
        await served.WaitForConnectionsAsync(1);

        Task<(string? Text, ValueWebSocketReceiveResult Last)> closing = ReceiveTextAsync(socket);
        using var limit = new CancellationTokenSource(KestrelHost.Limit);
        Task stopping = served.Host.App.StopAsync(limit.Token);
        (string? text, _) = await closing;
        Assert.Null(text);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, socket.CloseStatus);
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, limit.Token);
        await stopping;
        Assert.Equal(0, served.Transport.ConnectionCount);
    }

    [Fact]
    public async Task Replies_owed_when_the_host_stops_go_out_before_the_close()
    {
        var service = new TestService();
        await using Served served = await Served.StartAsync(service: service);
        await using WebSocketClientTransport socket = await WebSocketClientTransport.ConnectAsync(served.Host.Ws("/ws"));
        await using var client = new RpcClient(new JsonRpcProtocol(), socket);
        Task<string> waiting = client.CallAsync<string>("wait_gate");
        Assert.Equal(2, await client.CallAsync<int>("add", 1, 1)); // sent after wait_gate: the server has both

        using var limit = new CancellationTokenSource(KestrelHost.Limit);
        Task stopping = served.Host.App.StopAsync(limit.Token);
        service.OpenGate();
        Assert.Equal("passed", await waiting.WaitAsync(KestrelHost.Limit));
        await stopping;
    }

    [Fact]
    public async Task Client_that_ignores_the_shutdown_close_is_dropped()
    {
        await using Served served = await Served.StartAsync(new WebSocketServerOptions { CloseTimeout = TimeSpan.FromMilliseconds(300) });
        using ClientWebSocket socket = await ConnectRawAsync(served.Host.Ws("/ws"));
        await served.WaitForConnectionsAsync(1);

        // The client never reads, so it never answers the close: the server drops it and the host stops.
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await served.Host.App.StopAsync(limit.Token);
        Assert.Equal(0, served.Transport.ConnectionCount);
    }

    [Fact]
    public async Task Timed_out_call_leaves_the_client_usable()
    {
        await using Served served = await Served.StartAsync();
        await using WebSocketClientTransport socket = await WebSocketClientTransport.ConnectAsync(served.Host.Ws("/ws"));
        await using var client = new RpcClient(new JsonRpcProtocol(), socket) { Timeout = TimeSpan.FromMilliseconds(200) };
        await Assert.ThrowsAsync<TimeoutException>(() => client.CallAsync<bool>("sleep", 1000));
        client.Timeout = KestrelHost.Limit;
        Assert.True(await client.CallAsync<bool>("sleep", 1200));
        Assert.Equal(2, await client.CallAsync<int>("add", 1, 1));
        Assert.Equal(0, client.PendingCalls);
    }

    [Fact]
    public async Task Dispatcher_mapped_directly_serves_sockets()
    {
        await using KestrelHost host = await KestrelHost.StartAsync(app =>
        {
            app.UseWebSockets();
            app.MapTinyRpcWebSocket("/rpc-ws", TestService.CreateDispatcher(new TestService()), new JsonRpcProtocol());
        });
        await using WebSocketClientTransport socket = await WebSocketClientTransport.ConnectAsync(host.Ws("/rpc-ws"));
        await using var client = new RpcClient(new JsonRpcProtocol(), socket);
        int[] results = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => client.CallAsync<int>("add", i, 1)));
        Assert.Equal(Enumerable.Range(1, 100), results);
    }

    [Fact]
    public async Task Missing_UseWebSockets_is_reported()
    {
        var transport = new WebSocketServerTransport();
        await using KestrelHost host = await KestrelHost.StartAsync(app => app.MapTinyRpcWebSocket(transport));
        using var socket = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(KestrelHost.Limit);
        WebSocketException e = await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(host.Ws("/ws"), timeout.Token));
        Assert.Contains("500", e.Message);
    }
}
