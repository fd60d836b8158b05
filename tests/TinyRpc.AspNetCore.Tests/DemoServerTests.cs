using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using TinyRpc.Client;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Protocols.MsgPackRpc;
using TinyRpc.Transports;

namespace TinyRpc.AspNetCore.Tests;

/// <summary>The demo server as a child process over http, ws and tcp, checked against the JSON-RPC 2.0 specification's examples.</summary>
public sealed class DemoServerTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private static Task<ServerProcess> StartDemoAsync(params string[] args)
        => ServerProcess.StartAsync(ChildProcess.DotnetPath, [ChildProcess.DemoServerPath, .. args], "Listening on ");

    public static TheoryData<string, string?> SpecificationExamples => new()
    {
        { """{"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1}""", """{"jsonrpc": "2.0", "result": 19, "id": 1}""" },
        { """{"jsonrpc": "2.0", "method": "subtract", "params": [23, 42], "id": 2}""", """{"jsonrpc": "2.0", "result": -19, "id": 2}""" },
        { """{"jsonrpc": "2.0", "method": "subtract", "params": {"subtrahend": 23, "minuend": 42}, "id": 3}""", """{"jsonrpc": "2.0", "result": 19, "id": 3}""" },
        { """{"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": 4}""", """{"jsonrpc": "2.0", "result": 19, "id": 4}""" },
        { """{"jsonrpc": "2.0", "method": "update", "params": [1,2,3,4,5]}""", null },
        { """{"jsonrpc": "2.0", "method": "foobar"}""", null },
        { """{"jsonrpc": "2.0", "method": "foobar", "id": "1"}""", """{"jsonrpc": "2.0", "error": {"code": -32601, "message": "Method not found"}, "id": "1"}""" },
        { """{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]""", """{"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}, "id": null}""" },
        { """{"jsonrpc": "2.0", "method": 1, "params": "bar"}""", """{"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}""" },
        { """[{"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"}, {"jsonrpc": "2.0", "method" ]""", """{"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}, "id": null}""" },
        { "[]", """{"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}""" },
        { "[1]", """[{"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}]""" },
        { "[1,2,3]", """[{"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}, {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}, {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}]""" },
        {
            """
            [
                {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
                {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]},
                {"jsonrpc": "2.0", "method": "subtract", "params": [42,23], "id": "2"},
                {"foo": "boo"},
                {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"},
                {"jsonrpc": "2.0", "method": "get_data", "id": "9"}
            ]
            """,
            """
            [
                {"jsonrpc": "2.0", "result": 7, "id": "1"},
                {"jsonrpc": "2.0", "result": 19, "id": "2"},
                {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null},
                {"jsonrpc": "2.0", "error": {"code": -32601, "message": "Method not found"}, "id": "5"},
                {"jsonrpc": "2.0", "result": ["hello", 5], "id": "9"}
            ]
            """
        },
        { """[{"jsonrpc": "2.0", "method": "notify_sum", "params": [1,2,4]}, {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]}]""", null },
    };

    /// <summary>Compares replies as the specification does: member order and batch order do not matter; error data is ignored.</summary>
    private static void AssertSameReply(string expected, string actual)
    {
        JsonNode? want = Normalize(JsonNode.Parse(expected));
        JsonNode? got = Normalize(JsonNode.Parse(actual));
        Assert.True(JsonNode.DeepEquals(want, got), $"expected {want?.ToJsonString()}, got {got?.ToJsonString()}");
    }

    private static JsonNode? Normalize(JsonNode? node)
    {
        if (node is JsonArray array)
        {
            return new JsonArray(array.Select(Normalize).OrderBy(item => item?.ToJsonString(), StringComparer.Ordinal).ToArray());
        }

        if (node is JsonObject obj)
        {
            var sorted = new JsonObject();
            foreach ((string key, JsonNode? value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                if (key != "data")
                {
                    sorted[key] = value is JsonObject or JsonArray ? Normalize(value) : value?.DeepClone();
                }
            }

            return sorted;
        }

        return node?.DeepClone();
    }

    [Fact]
    public async Task Http_demo_server_answers_the_specification_examples()
    {
        await using ServerProcess demo = await StartDemoAsync("--transport", "http", "--endpoint", "http://127.0.0.1:0/rpc", "--log");
        Assert.EndsWith("/rpc", demo.Ready, StringComparison.Ordinal);
        using var http = new HttpClient { Timeout = Limit };
        foreach ((string request, string? reply) in SpecificationExamples.Select(row => row.Data))
        {
            using var content = new StringContent(request, Encoding.UTF8, "application/json");
            using HttpResponseMessage response = await http.PostAsync(demo.Ready, content);
            if (reply is null)
            {
                Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
                Assert.Empty(await response.Content.ReadAsByteArrayAsync());
            }
            else
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                AssertSameReply(reply, await response.Content.ReadAsStringAsync());
            }
        }

        string log = await demo.StopAsync();
        Assert.Contains("--> ", log);
        Assert.Contains("<-- ", log);
        Assert.Contains("notify_sum(1, 2, 4) = 7", log);
    }

    [Fact]
    public async Task Web_socket_demo_server_serves_the_methods()
    {
        await using ServerProcess demo = await StartDemoAsync("--transport", "ws", "--endpoint", "ws://127.0.0.1:0/ws");
        await using WebSocketClientTransport socket = await WebSocketClientTransport.ConnectAsync(new Uri(demo.Ready));
        await using var client = new RpcClient(new JsonRpcProtocol(), socket);
        Assert.Equal(19, await client.CallAsync<int>("subtract", null, new Dictionary<string, object?> { ["minuend"] = 42, ["subtrahend"] = 23 }));
        await client.NotifyAsync("notify_hello", [7]);
        Assert.Equal("sitea", await client.CallAsync<string>("sitea.get_site"));
        Dictionary<string, string> user = await client.CallAsync<Dictionary<string, string>>("siteb.get_user_info", "ann");
        Assert.Equal("siteb", user["site"]);
        Assert.Equal(3.5, await client.CallAsync<double>("add", 1, 2.5));
        RpcException cheat = await Assert.ThrowsAnyAsync<RpcException>(() => client.CallAsync<object>("cheat"));
        Assert.Equal(99, cheat.Code);
        Assert.Equal("Ah, that's cheating", cheat.Message);
        Assert.False(cheat.GetData<Dictionary<string, System.Text.Json.JsonElement>>()!["retry"].GetBoolean());

        using var http = new HttpClient { Timeout = Limit };
        Uri root = new UriBuilder(new Uri(demo.Ready)) { Scheme = "http", Path = "/" }.Uri;
        Assert.Equal("Ready for WebSocket connection in /ws", (await http.GetStringAsync(root)).Trim());
    }

    [Fact]
    public async Task Tcp_demo_server_serves_the_methods()
    {
        await using ServerProcess demo = await StartDemoAsync("--transport", "tcp", "--endpoint", "127.0.0.1:0", "--framing", "newline");
        var address = new Uri(demo.Ready);
        await using StreamClientTransport stream = await StreamClientTransport.ConnectTcpAsync(address.Host, address.Port, MessageFraming.NewlineDelimited);
        await using var client = new RpcClient(new JsonRpcProtocol(), stream);
        Assert.Equal(7, await client.CallAsync<int>("sum", 1, 2, 4));
        Assert.Equal("dlrow", await client.CallAsync<string>("reverse_string", "world"));
        int[] results = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => client.CallAsync<int>("subtract", i, 1)));
        Assert.Equal(Enumerable.Range(-1, 100), results);
    }

    [Fact]
    public async Task Msgpack_demo_server_serves_the_methods_over_tcp_and_http()
    {
        await using (ServerProcess demo = await StartDemoAsync("--protocol", "msgpack", "--transport", "tcp", "--endpoint", "127.0.0.1:0"))
        {
            var address = new Uri(demo.Ready);
            await using StreamClientTransport stream = await StreamClientTransport.ConnectTcpAsync(address.Host, address.Port);
            await using var client = new RpcClient(new MessagePackRpcProtocol(), stream);
            Assert.Equal(7, await client.CallAsync<int>("sum", 1, 2, 4));
            Assert.Equal(19, await client.CallAsync<int>("subtract", 42, 23));
            Assert.Equal("cba", await client.CallAsync<string>("reverse_string", "abc"));
            await client.NotifyAsync("notify_hello", [7]);
            Assert.Equal("siteb", await client.CallAsync<string>("siteb.get_site"));
            Assert.Equal(["hello", 5L], await client.CallAsync<object[]>("get_data"));
            Dictionary<string, string> user = await client.CallAsync<Dictionary<string, string>>("sitea.get_user_info", "ann");
            Assert.Equal(new Dictionary<string, string> { ["name"] = "ann", ["site"] = "sitea" }, user);
            RpcException cheat = await Assert.ThrowsAnyAsync<RpcException>(() => client.CallAsync<object>("cheat"));
            Assert.Equal(99, cheat.Code);
            Assert.Equal("Ah, that's cheating", cheat.Message);
        }

        await using (ServerProcess demo = await StartDemoAsync("--protocol", "msgpack", "--transport", "http", "--endpoint", "http://127.0.0.1:0/rpc"))
        {
            using var http = new HttpClient { Timeout = Limit };
            await using var client = new RpcClient(new MessagePackRpcProtocol(), new HttpPostClientTransport(http, new Uri(demo.Ready), "application/msgpack"));
            Assert.Equal(3.5, await client.CallAsync<double>("add", 1, 2.5));
            Assert.Equal("dlrow", await client.CallAsync<string>("reverse_string", "world"));
        }
    }

    [Theory]
    [InlineData("http", "jsonrpc")]
    [InlineData("http", "msgpack")]
    [InlineData("ws", "jsonrpc")]
    [InlineData("ws", "msgpack")]
    [InlineData("tcp", "jsonrpc")]
    [InlineData("tcp", "msgpack")]
    public async Task Demo_server_answers_every_method_it_lists(string transport, string protocolName)
    {
        string endpoint = transport switch { "http" => "http://127.0.0.1:0/rpc", "ws" => "ws://127.0.0.1:0/ws", _ => "127.0.0.1:0" };
        await using ServerProcess demo = await StartDemoAsync("--transport", transport, "--protocol", protocolName, "--endpoint", endpoint);
        RpcProtocol protocol = protocolName == "msgpack" ? new MessagePackRpcProtocol() : new JsonRpcProtocol();
        using var http = new HttpClient { Timeout = Limit };
        // The client disposes its connection.
        await using RpcClient client = transport switch
        {
            "http" => new RpcClient(protocol, new HttpPostClientTransport(http, new Uri(demo.Ready), protocol.ContentType)),
            // The demo server sends MSGPACK-RPC in binary messages and refuses text ones.
            "ws" => new RpcClient(protocol, await WebSocketClientTransport.ConnectAsync(new Uri(demo.Ready), protocolName == "msgpack" ? System.Net.WebSockets.WebSocketMessageType.Binary : System.Net.WebSockets.WebSocketMessageType.Text)),
            _ => new RpcClient(protocol, await StreamClientTransport.ConnectTcpAsync(new Uri(demo.Ready).Host, new Uri(demo.Ready).Port)),
        };
        await TinyRpc.Tests.DemoServerMethods.AssertEveryMethodAsync(client);

        if (transport is "http" or "ws")
        {
            // The same document for tools, over plain HTTP beside the RPC path.
            var ready = new Uri(demo.Ready);
            var document = new UriBuilder(ready) { Scheme = "http", Path = ready.AbsolutePath + "/openrpc.json" }.Uri;
            using HttpResponseMessage reply = await http.GetAsync(document);
            Assert.Equal(System.Net.HttpStatusCode.OK, reply.StatusCode);
            using var parsed = System.Text.Json.JsonDocument.Parse(await reply.Content.ReadAsStringAsync());
            Assert.Equal("TinyRpc DemoServer", parsed.RootElement.GetProperty("info").GetProperty("title").GetString());
            Assert.Contains("sitea.get_site", parsed.RootElement.GetProperty("methods").EnumerateArray().Select(m => m.GetProperty("name").GetString()));
        }
    }

    [Fact]
    public async Task Demo_server_maps_the_explorer_only_when_asked_and_it_calls_a_method_from_a_browser()
    {
        using var http = new HttpClient { Timeout = Limit };
        await using (ServerProcess plain = await StartDemoAsync("--transport", "http", "--endpoint", "http://127.0.0.1:0/rpc"))
        {
            using HttpResponseMessage none = await http.GetAsync(new Uri(plain.Ready + "/explorer"));
            Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
        }

        await using ServerProcess demo = await StartDemoAsync("--transport", "http", "--endpoint", "http://127.0.0.1:0/rpc", "--explorer");
        await using Explorer.HeadlessChromium browser = await Explorer.HeadlessChromium.StartAsync();
        await Explorer.ExplorerBrowserTests.WithScreenshotAsync(browser, "demo-server", async () =>
        {
            // The page reads the document the demo server generates and serves beside /rpc.
            await browser.NavigateAsync(new Uri(demo.Ready + "/explorer"));
            await browser.WaitForAsync("document.querySelector('section[data-method=\"subtract\"]') !== null");
            Assert.Equal("TinyRpc DemoServer", await browser.TextAsync("h1"));
            Assert.Contains("sitea.get_user_info", await browser.TextAsync("nav"), StringComparison.Ordinal);

            const string Subtract = "section[data-method=\"subtract\"]";
            await browser.FillAsync($"{Subtract} [name=minuend]", "42");
            await browser.FillAsync($"{Subtract} [name=subtrahend]", "23");
            await browser.ClickAsync($"{Subtract} button[type=submit]");
            await browser.WaitForAsync($"document.querySelector('{Subtract} .outcome').textContent.startsWith('Result: ')");
            Assert.Equal("Result: 19", await browser.TextAsync($"{Subtract} .outcome"));
            Assert.Contains("\"params\": {", await browser.TextAsync($"{Subtract} .request"), StringComparison.Ordinal);
            Assert.Empty(browser.Problems);
        });
    }

    [Fact]
    public async Task A_result_that_cannot_be_written_is_an_error_reply_and_logged_with_the_method()
    {
        await using ServerProcess demo = await StartDemoAsync("--transport", "tcp", "--endpoint", "127.0.0.1:0");
        var address = new Uri(demo.Ready);
        await using var client = new RpcClient(new JsonRpcProtocol(), await StreamClientTransport.ConnectTcpAsync(address.Host, address.Port));

        // 1e308 + 1e308 is Infinity, which JSON cannot carry.
        RpcException infinity = await Assert.ThrowsAnyAsync<RpcException>(() => client.CallAsync<double>("add", 1e308, 1e308));
        Assert.Equal(RpcErrorCodes.InternalError, infinity.Code);
        Assert.Equal(3.5, await client.CallAsync<double>("add", 1, 2.5));

        // The server wrote the log line before it sent the error reply.
        string log = await demo.StopAsync();
        Assert.Contains("The result of add could not be written", log);
        Assert.Contains("NaN and Infinity cannot be written", log);
    }

    [Theory]
    [InlineData("--protocol xml", "Unknown protocol 'xml'")]
    [InlineData("--transport pigeon", "Unknown transport 'pigeon'")]
    [InlineData("--max-size lots", "--max-size")]
    [InlineData("--what", "Unknown option '--what'")]
    [InlineData("--transport tcp --explorer", "--explorer goes with --transport http")]
    [InlineData("--protocol msgpack --explorer", "--explorer goes with --transport http")]
    public async Task Bad_options_get_a_clear_message(string args, string expected)
    {
        ChildProcess.Result result = await ChildProcess.RunAsync(ChildProcess.DotnetPath, [ChildProcess.DemoServerPath, .. args.Split(' ')], new Dictionary<string, string?>(), [], Limit);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Stderr);
    }

    [Fact]
    public async Task Help_documents_the_options_and_methods()
    {
        ChildProcess.Result result = await ChildProcess.RunAsync(ChildProcess.DotnetPath, [ChildProcess.DemoServerPath, "--help"], new Dictionary<string, string?>(), [], Limit);
        Assert.Equal(0, result.ExitCode);
        string help = Encoding.UTF8.GetString(result.Stdout);
        foreach (string word in new[] { "--protocol", "--transport", "--endpoint", "--log", "--max-size", "--allow-origin", "--framing", "--explorer", "development aid", "subtract", "notify_hello", "get_data", "cheat", "sleep", "pending", "sitea." })
        {
            Assert.Contains(word, help);
        }
    }
}
