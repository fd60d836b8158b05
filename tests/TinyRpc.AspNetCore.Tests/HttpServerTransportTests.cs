using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using TinyRpc.Client;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Server;
using TinyRpc.Transports;

namespace TinyRpc.AspNetCore.Tests;

/// <summary><see cref="HttpServerTransport"/> under an <see cref="RpcServer"/>, as tinyrpc's WSGI transport.</summary>
public sealed class HttpServerTransportTests
{
    private sealed class Served : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new(KestrelHost.Limit);

        public required KestrelHost Host { get; init; }

        public required HttpServerTransport Transport { get; init; }

        public required RpcServer Server { get; init; }

        public Task Serving { get; private set; } = Task.CompletedTask;

        public ConcurrentQueue<(string Direction, object? Context)> Traces { get; } = new();

        public static async Task<Served> StartAsync(RpcHttpOptions? options = null, RpcServerOptions? serverOptions = null)
        {
            var transport = new HttpServerTransport("application/json", options);
            KestrelHost host = await KestrelHost.StartAsync(app => app.MapTinyRpc("/rpc", transport));
            var server = new RpcServer(transport, new JsonRpcProtocol(), TestService.CreateDispatcher(new TestService()), serverOptions);
            var served = new Served { Host = host, Transport = transport, Server = server };
            server.Trace = (direction, context, _) => served.Traces.Enqueue((direction, context));
            served.Serving = server.ServeForeverAsync(served._stop.Token);
            return served;
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await Serving.WaitAsync(KestrelHost.Limit);
            await Host.DisposeAsync();
            _stop.Dispose();
        }
    }

    [Fact]
    public async Task Rpc_server_answers_over_the_transport()
    {
        await using Served served = await Served.StartAsync();
        using var transport = new HttpPostClientTransport(served.Host.Http("/rpc"));
        await using var client = new RpcClient(new JsonRpcProtocol(), transport);

        Assert.Equal(5, await client.CallAsync<int>("add", 2, 3));
        int[] results = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => client.CallAsync<int>("echo_later", i, i % 7)));
        Assert.Equal(Enumerable.Range(0, 100), results);
        await client.NotifyAsync("notify");
        Assert.Equal(-32601, (await Assert.ThrowsAnyAsync<RpcException>(() => client.CallAsync<int>("missing"))).Code);

        (string direction, object? context) = served.Traces.First();
        Assert.Equal(RpcServer.Incoming, direction);
        RpcHttpRequestContext http = Assert.IsType<RpcHttpRequestContext>(context, exactMatch: false);
        Assert.Contains("127.0.0.1", http.ToString());
        Assert.Contains("POST /rpc", http.ToString());
    }

    [Fact]
    public async Task Http_rules_hold_for_the_transport()
    {
        await using Served served = await Served.StartAsync(new RpcHttpOptions { MaxContentLength = 128, AllowedOrigin = "http://app.test" });
        using var http = new HttpClient { Timeout = KestrelHost.Limit };

        using HttpResponseMessage get = await http.GetAsync(served.Host.Http("/rpc"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);

        using HttpResponseMessage big = await http.PostAsync(served.Host.Http("/rpc"), new ByteArrayContent(new byte[200]));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, big.StatusCode);

        using var text = new StringContent("{}", Encoding.UTF8, "text/plain");
        using HttpResponseMessage plain = await http.PostAsync(served.Host.Http("/rpc"), text);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, plain.StatusCode);

        using var notification = new StringContent("""{"jsonrpc":"2.0","method":"notify"}""", Encoding.UTF8, "application/json");
        using HttpResponseMessage noContent = await http.PostAsync(served.Host.Http("/rpc"), notification);
        Assert.Equal(HttpStatusCode.NoContent, noContent.StatusCode);
        Assert.Empty(await noContent.Content.ReadAsByteArrayAsync());

        using var preflight = new HttpRequestMessage(HttpMethod.Options, served.Host.Http("/rpc"));
        preflight.Headers.Add("Origin", "http://app.test");
        using HttpResponseMessage answer = await http.SendAsync(preflight);
        Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
        Assert.Equal("http://app.test", Assert.Single(answer.Headers.GetValues("Access-Control-Allow-Origin")));

        using var garbage = new StringContent("{{{", Encoding.UTF8, "application/json");
        using HttpResponseMessage parseError = await http.PostAsync(served.Host.Http("/rpc"), garbage);
        Assert.Contains("-32700", await parseError.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Client_that_leaves_before_its_reply_is_forgotten()
    {
        await using Served served = await Served.StartAsync();
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync(IPAddress.Loopback, served.Host.BaseAddress.Port);
            string body = """{"jsonrpc":"2.0","method":"sleep","params":[300],"id":1}""";
            await tcp.GetStream().WriteAsync(Encoding.ASCII.GetBytes($"POST /rpc HTTP/1.1\r\nHost: x\r\nContent-Length: {body.Length}\r\n\r\n{body}"));
            tcp.Client.LingerState = new LingerOption(true, 0);
        }

        using var transport = new HttpPostClientTransport(served.Host.Http("/rpc"));
        await using var client = new RpcClient(new JsonRpcProtocol(), transport);
        Assert.True(await client.CallAsync<bool>("sleep", 500));
        Assert.Equal(3, await client.CallAsync<int>("add", 1, 2));
        Assert.False(served.Serving.IsCompleted);
    }

    /// <summary>A host whose middleware reports when a request has reached the transport and when its client has gone.</summary>
    // arrived: a request reached the application; finished: its handler returned (for a client that left, only after
    // every callback of its RequestAborted token has run, the transport's withdrawal included).
    private static Task<KestrelHost> StartWatchedAsync(HttpServerTransport transport, TaskCompletionSource arrived, TaskCompletionSource finished)
        => KestrelHost.StartAsync(app =>
        {
            app.Use((RequestDelegate next) => async context =>
            {
                arrived.TrySetResult();
                try
                {
                    await next(context);
                }
                finally
                {
                    finished.TrySetResult();
                }
            });
            app.MapTinyRpc("/rpc", transport);
        });

    [Fact]
    public async Task Requests_not_taken_by_a_server_get_503_when_the_application_stops()
    {
        var transport = new HttpServerTransport();
        TaskCompletionSource arrived = new(TaskCreationOptions.RunContinuationsAsynchronously), finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
        await using KestrelHost host = await StartWatchedAsync(transport, arrived, finished);
        using var http = new HttpClient { Timeout = KestrelHost.Limit };
        using var content = new StringContent("""{"jsonrpc":"2.0","method":"add","params":[1,2],"id":1}""", Encoding.UTF8, "application/json");

        // No RpcServer reads the transport: the request waits until the application stops.
        Task<HttpResponseMessage> waiting = http.PostAsync(host.Http("/rpc"), content);
        await arrived.Task.WaitAsync(KestrelHost.Limit);
        using var limit = new CancellationTokenSource(KestrelHost.Limit);
        Task stopping = host.App.StopAsync(limit.Token);
        using HttpResponseMessage response = await waiting.WaitAsync(KestrelHost.Limit);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        await stopping;

        // The withdrawn request is not handed to a server that starts later.
        using var none = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await transport.ReceiveMessageAsync(none.Token));
    }

    [Fact]
    public async Task Requests_whose_client_left_before_the_server_took_them_are_skipped()
    {
        var transport = new HttpServerTransport();
        TaskCompletionSource arrived = new(TaskCreationOptions.RunContinuationsAsynchronously), finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
        await using KestrelHost host = await StartWatchedAsync(transport, arrived, finished);
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync(IPAddress.Loopback, host.BaseAddress.Port);
            string body = """{"jsonrpc":"2.0","method":"notify"}""";
            await tcp.GetStream().WriteAsync(Encoding.ASCII.GetBytes($"POST /rpc HTTP/1.1\r\nHost: x\r\nContent-Length: {body.Length}\r\n\r\n{body}"));
            await tcp.GetStream().FlushAsync();
            await arrived.Task.WaitAsync(KestrelHost.Limit);
            tcp.Client.LingerState = new LingerOption(true, 0);
        }

        // Not the abort itself: the server below must start only once the transport has withdrawn the request, which
        // it does in a callback of the same token that may run after any callback of the test's.
        await finished.Task.WaitAsync(KestrelHost.Limit);
        var service = new TestService();
        using var stop = new CancellationTokenSource(KestrelHost.Limit);
        Task serving = new RpcServer(transport, new JsonRpcProtocol(), TestService.CreateDispatcher(service)).ServeForeverAsync(stop.Token);
        using var client = new HttpPostClientTransport(host.Http("/rpc"));
        await using var rpc = new RpcClient(new JsonRpcProtocol(), client);
        Assert.Equal(3, await rpc.CallAsync<int>("add", 1, 2));
        Assert.Equal(0, service.Notifications);
        await stop.CancelAsync();
        await serving.WaitAsync(KestrelHost.Limit);
    }

    [Fact]
    public async Task Completed_transport_refuses_with_503_and_ends_the_server()
    {
        await using Served served = await Served.StartAsync();
        served.Transport.Complete();
        await served.Serving.WaitAsync(KestrelHost.Limit);

        using var http = new HttpClient { Timeout = KestrelHost.Limit };
        using var content = new StringContent("""{"jsonrpc":"2.0","method":"add","params":[1,2],"id":1}""", Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await http.PostAsync(served.Host.Http("/rpc"), content);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    [Fact]
    public async Task Sequential_server_still_answers_concurrent_clients()
    {
        await using Served served = await Served.StartAsync(serverOptions: new RpcServerOptions { MaxConcurrency = 1 });
        using var transport = new HttpPostClientTransport(served.Host.Http("/rpc"));
        await using var client = new RpcClient(new JsonRpcProtocol(), transport);
        int[] results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => client.CallAsync<int>("add", i, i)));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => 2 * i), results);
    }
}
