using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using TinyRpc.Dispatch;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Protocols.MsgPackRpc;
using TinyRpc.Transports;

namespace TinyRpc.AspNetCore.Tests;

/// <summary>The OpenRPC document at GET {pattern}/openrpc.json, and rpc.discover, checked by an independent validator.</summary>
public sealed class OpenRpcDocumentTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private static string Python => File.Exists("/usr/bin/python3")
        ? "/usr/bin/python3"
        : ChildProcess.FindOnPath("python3") ?? throw new InvalidOperationException("python3 is not installed: this test needs Debian's python3-jsonschema and python3-msgpack.");

    private static RpcDispatcher Library(LibraryService service)
    {
        var dispatcher = new RpcDispatcher { EnableDiscovery = true, DiscoveryTitle = "Library" };
        dispatcher.RegisterInstance(service);
        return dispatcher;
    }

    [Fact]
    public async Task Python_jsonschema_validates_the_document_and_real_calls_against_it()
    {
        var service = new LibraryService();
        RpcDispatcher dispatcher = Library(service);
        await using KestrelHost host = await KestrelHost.StartAsync(app =>
        {
            app.MapTinyRpc("/rpc", dispatcher, new JsonRpcProtocol(), new RpcHttpOptions { ServeOpenRpcDocument = true });
            app.MapTinyRpc("/msgpack", dispatcher, new MessagePackRpcProtocol());
        });

        string metaSchema = Path.Combine(AppContext.BaseDirectory, "openrpc", "openrpc-meta-schema.json");
        ChildProcess.Result result = await ChildProcess.RunAsync(Python,
            [Path.Combine(AppContext.BaseDirectory, "python", "openrpc_check.py"), metaSchema, host.BaseAddress.ToString()],
            new Dictionary<string, string?> { ["NO_PROXY"] = "127.0.0.1", ["no_proxy"] = "127.0.0.1" }, [], Limit);
        Assert.True(result.ExitCode == 0, $"python exited with {result.ExitCode}: {result.Stderr}");
        using JsonDocument output = JsonDocument.Parse(result.Stdout);
        JsonElement checks = output.RootElement;

        Assert.True(checks.GetProperty("meta_rejects_broken").GetBoolean());
        Assert.Equal(200, checks.GetProperty("get_status").GetInt32());
        Assert.Equal("application/json; charset=utf-8", checks.GetProperty("get_content_type").GetString());
        Assert.Equal("[]", checks.GetProperty("get_errors").GetRawText());
        Assert.True(checks.GetProperty("discover_equals_get").GetBoolean());
        Assert.Equal("[]", checks.GetProperty("discover_errors").GetRawText());
        Assert.Equal("[1,7,null]", checks.GetProperty("msgpack_reply_shape").GetRawText().Replace(" ", "", StringComparison.Ordinal));
        Assert.True(checks.GetProperty("msgpack_equals_get").GetBoolean());
        Assert.Equal("[]", checks.GetProperty("msgpack_errors").GetRawText());
        Assert.True(checks.GetProperty("schema_rejects_wrong_type").GetBoolean());
        Assert.True(checks.GetProperty("schema_rejects_bad_book").GetBoolean());
        Assert.True(checks.GetProperty("schema_rejects_unknown_genre").GetBoolean());

        foreach (JsonProperty exchange in checks.GetProperty("exchanges").EnumerateObject())
        {
            Assert.True(exchange.Value.GetProperty("problems").GetArrayLength() == 0, $"{exchange.Name}: {exchange.Value}");
        }

        JsonElement exchanges = checks.GetProperty("exchanges");
        Assert.Equal(4001, exchanges.GetProperty("buy_sold_out").GetProperty("response").GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal(2, exchanges.GetProperty("find_positional").GetProperty("response").GetProperty("result").GetArrayLength());
        Assert.Equal("hello", await service.Logged.WaitAsync(Limit));
    }

    [Fact]
    public async Task The_document_is_served_only_when_asked_for()
    {
        RpcDispatcher dispatcher = Library(new LibraryService());
        await using KestrelHost host = await KestrelHost.StartAsync(app =>
        {
            app.MapTinyRpc("/off", dispatcher, new JsonRpcProtocol());
            app.MapTinyRpc("/on/", dispatcher, new JsonRpcProtocol(), new RpcHttpOptions { ServeOpenRpcDocument = true, AllowedOrigin = "*" });
        });
        using HttpClient http = TestHttp.NewClient();

        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(host.Http("/off/openrpc.json"))).StatusCode);

        using HttpResponseMessage reply = await http.GetAsync(host.Http("/on/openrpc.json"));
        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        Assert.Equal("application/json", reply.Content.Headers.ContentType?.MediaType);
        Assert.Equal("*", reply.Headers.GetValues("Access-Control-Allow-Origin").Single());
        JsonNode document = JsonNode.Parse(await reply.Content.ReadAsStringAsync())!;
        Assert.Equal(JsonNode.Parse(dispatcher.GetOpenRpcDocument())!.ToJsonString(), document.ToJsonString());
        Assert.Equal("Library", (string?)document["info"]!["title"]);
        Assert.Contains("find_books", document["methods"]!.AsArray().Select(m => (string?)m!["name"]));

        using HttpResponseMessage post = await http.PostAsync(host.Http("/on/openrpc.json"), TestHttp.Json("{}"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        Assert.Equal("GET, HEAD, OPTIONS", string.Join(", ", post.Content.Headers.Allow));

        using var head = new HttpRequestMessage(HttpMethod.Head, host.Http("/on/openrpc.json"));
        using HttpResponseMessage headReply = await http.SendAsync(head);
        Assert.Equal(HttpStatusCode.OK, headReply.StatusCode);
        Assert.Empty(await headReply.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Conventions_apply_to_the_rpc_route_and_the_document_route()
    {
        var marker = new object();
        RpcDispatcher dispatcher = Library(new LibraryService());
        await using KestrelHost host = await KestrelHost.StartAsync(app =>
        {
            app.MapTinyRpc("/rpc", dispatcher, new JsonRpcProtocol(), new RpcHttpOptions { ServeOpenRpcDocument = true })
                .Add(builder => builder.Metadata.Add(marker));
            app.MapOpenRpcDocument("/elsewhere/contract.json", dispatcher);
        });

        RouteEndpoint[] endpoints = host.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToArray();
        Assert.Equal(["/rpc", "/rpc/openrpc.json"], endpoints.Where(e => e.Metadata.Contains(marker)).Select(e => e.RoutePattern.RawText).Order(StringComparer.Ordinal));

        using HttpClient http = TestHttp.NewClient();
        using HttpResponseMessage reply = await http.GetAsync(host.Http("/elsewhere/contract.json"));
        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        Assert.Equal("1.3.2", (string?)JsonNode.Parse(await reply.Content.ReadAsStringAsync())!["openrpc"]);
    }
}
