using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Server;
using TinyRpc.Transports;

namespace TinyRpc.AspNetCore.Tests;

/// <summary>Debian's python3-tinyrpc (0.6) on the other end of the wire, in both directions, and its protocol over python3-websocket.</summary>
public sealed class PythonInteropTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private static string Python => File.Exists("/usr/bin/python3")
        ? "/usr/bin/python3"
        : ChildProcess.FindOnPath("python3") ?? throw new InvalidOperationException("python3 is not installed: the interop tests need Debian's python3-tinyrpc, python3-requests and python3-werkzeug.");

    private static string Script(string name) => Path.Combine(AppContext.BaseDirectory, "python", name);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Python_http_client_calls_the_TinyRpc_server(bool throughTransport)
    {
        var service = new TestService();
        RpcDispatcher dispatcher = TestService.CreateDispatcher(service);
        var transport = new HttpServerTransport();
        await using KestrelHost host = await KestrelHost.StartAsync(app =>
        {
            if (throughTransport)
            {
                app.MapTinyRpc("/rpc", transport);
            }
            else
            {
                app.MapTinyRpc("/rpc", dispatcher, new JsonRpcProtocol());
            }
        });
        using var stop = new CancellationTokenSource(Limit);
        Task serving = throughTransport ? new RpcServer(transport, new JsonRpcProtocol(), dispatcher).ServeForeverAsync(stop.Token) : Task.CompletedTask;

        ChildProcess.Result result = await ChildProcess.RunAsync(Python, [Script("tinyrpc_http_client.py"), host.Http("/rpc").ToString()],
            new Dictionary<string, string?> { ["NO_PROXY"] = "127.0.0.1", ["no_proxy"] = "127.0.0.1" }, [], Limit);
        Assert.True(result.ExitCode == 0, $"python exited with {result.ExitCode}: {result.Stderr}");

        Dictionary<string, JsonElement> checks = ParseChecks(result.Stdout);
        Assert.Equal(5, checks["add"].GetInt32());
        Assert.Equal(42, checks["add_named"].GetInt32());
        Assert.Equal("olleh", checks["reverse_string"].GetString());
        Assert.Equal("cprynit", checks["proxy"].GetString());
        Assert.Equal("ann: comment 7", checks["keyword_proxy"].GetString());
        Assert.Equal("anon: comment 8", checks["keyword_call"].GetString());
        Assert.Contains("commentId", checks["keyword_csharp_name"].GetString(), StringComparison.Ordinal);
        Assert.Equal("pong", checks["params_null"].GetString());
        Assert.True(checks["notified"].GetBoolean());
        Assert.Contains("Ah, that's cheating", checks["fail"].GetString());
        Assert.Contains("Method not found", checks["missing"].GetString());
        Assert.Equal([3, 7], checks["batch"].EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(1, service.Notifications);

        await stop.CancelAsync();
        await serving.WaitAsync(Limit);
    }

    [Fact]
    public async Task Python_websocket_client_gets_every_reply_matched_by_id()
    {
        var service = new TestService();
        await using KestrelHost host = await KestrelHost.StartAsync(app =>
        {
            app.UseWebSockets();
            app.MapTinyRpcWebSocket("/ws", TestService.CreateDispatcher(service), new JsonRpcProtocol());
        });

        ChildProcess.Result result = await ChildProcess.RunAsync(Python, [Script("tinyrpc_websocket_client.py"), host.Ws("/ws").ToString()],
            new Dictionary<string, string?>(), [], Limit);
        Assert.True(result.ExitCode == 0, $"python exited with {result.ExitCode}: {result.Stderr}");
        Dictionary<string, JsonElement> checks = ParseChecks(result.Stdout);
        Assert.Equal(20, checks["matched"].GetInt32());
        Assert.Contains("Ah, that's cheating", checks["error"].GetString());

        // The notification is handled concurrently with the calls after it: wait for it to have run.
        await service.Notified.WaitAsync(Limit);
        Assert.Equal(1, service.Notifications);
    }

    [Fact]
    public async Task Python_tinyrpc_client_gets_what_python_computes_from_the_demo_server()
    {
        await using ServerProcess demo = await ServerProcess.StartAsync(ChildProcess.DotnetPath,
            [ChildProcess.DemoServerPath, "--transport", "http", "--endpoint", "http://127.0.0.1:0/rpc"], "Listening on ");
        ChildProcess.Result result = await ChildProcess.RunAsync(Python, [Script("tinyrpc_demo_client.py"), demo.Ready],
            new Dictionary<string, string?> { ["NO_PROXY"] = "127.0.0.1", ["no_proxy"] = "127.0.0.1" }, [], Limit);
        Assert.True(result.ExitCode == 0, $"python exited with {result.ExitCode}: {result.Stderr}");

        Dictionary<string, JsonElement> checks = ParseChecks(result.Stdout);
        Assert.True(checks["reverse_astral_matches"].GetBoolean());
        Assert.StartsWith("error: ", checks["subtract_overflow"].GetString(), StringComparison.Ordinal);
        Assert.Contains("overflow", checks["subtract_overflow"].GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(19, checks["subtract_named"].GetInt32());
        Assert.Equal("""["hello",5]""", checks["get_data"].GetRawText().Replace(" ", "", StringComparison.Ordinal));
        Assert.Equal("ann", checks["user_info"].GetProperty("name").GetString());
        Assert.Equal("sitea", checks["user_info"].GetProperty("site").GetString());
    }

    private static Dictionary<string, JsonElement> ParseChecks(byte[] stdout)
        => System.Text.Encoding.UTF8.GetString(stdout)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split('=', 2))
            .ToDictionary(parts => parts[0], parts => JsonDocument.Parse(parts[1]).RootElement);

    [Fact]
    public async Task TinyRpc_client_calls_the_python_wsgi_server()
    {
        await using ServerProcess python = await ServerProcess.StartAsync(Python, [Script("tinyrpc_wsgi_server.py")], "LISTENING ");
        var endpoint = new Uri($"http://127.0.0.1:{python.Ready}/");
        using var http = new HttpClient { Timeout = Limit };
        using var transport = new HttpPostClientTransport(http, endpoint);
        await using var client = new RpcClient(new JsonRpcProtocol(), transport);

        Assert.Equal(5, await client.CallAsync<int>("add", 2, 3));
        Assert.Equal(42, await client.CallAsync<int>("add", null, new Dictionary<string, object?> { ["a"] = 40, ["b"] = 2 }));
        Assert.Equal("cba", await client.CallAsync<string>("reverse_string", "abc"));
        JsonElement data = await client.CallAsync<JsonElement>("get_data");
        Assert.Equal("""["hello",5]""", data.GetRawText().Replace(" ", "", StringComparison.Ordinal));
        Assert.Equal("grüße ✓", await client.CallAsync<string>("echo", "grüße ✓"));

        RpcException palindrome = await Assert.ThrowsAnyAsync<RpcException>(() => client.CallAsync<string>("reverse_string", "rotator"));
        Assert.Equal(99, palindrome.Code);
        Assert.Equal("Ah, that's cheating", palindrome.Message);

        RpcException missing = await Assert.ThrowsAnyAsync<RpcException>(() => client.CallAsync<string>("no_such_method"));
        Assert.Equal(-32601, missing.Code);

        int[] results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => client.CallAsync<int>("add", i, 1)));
        Assert.Equal(Enumerable.Range(1, 20), results);
    }
}
