using System.Net;
using System.Text;
using System.Text.Json;
using TinyRpc.Client;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Protocols.MsgPackRpc;
using TinyRpc.Transports;

namespace TinyRpc.AspNetCore.Tests;

/// <summary>The demo server as a CGI program under lighttpd, called with <see cref="HttpPostClientTransport"/>.</summary>
public sealed class CgiUnderLighttpdTests(LighttpdFixture lighttpd) : IClassFixture<LighttpdFixture>
{
    [Fact]
    public async Task Round_trip_through_lighttpd()
    {
        using HttpClient http = TestHttp.NewClient();
        using var transport = new HttpPostClientTransport(http, lighttpd.Endpoint);
        await using var client = new RpcClient(new JsonRpcProtocol(), transport);

        Assert.Equal(19, await client.CallAsync<int>("subtract", 42, 23));
        Assert.Equal(19, await client.CallAsync<int>("subtract", null, new Dictionary<string, object?> { ["subtrahend"] = 23, ["minuend"] = 42 }));
        Assert.Equal(7, await client.CallAsync<int>("sum", 1, 2, 4));
        Assert.Equal("cba", await client.CallAsync<string>("reverse_string", "abc"));
        Assert.Equal("siteb", await client.CallAsync<string>("siteb.get_site"));
        RpcException error = await Assert.ThrowsAnyAsync<RpcException>(() => client.CallAsync<object>("cheat"));
        Assert.Equal(99, error.Code);
        Assert.Equal("Ah, that's cheating", error.Message);
    }

    [Theory]
    [InlineData("jsonrpc")]
    [InlineData("msgpack")]
    public async Task Demo_server_answers_every_method_it_lists_under_lighttpd(string protocolName)
    {
        using HttpClient http = TestHttp.NewClient();
        RpcProtocol protocol = protocolName == "msgpack" ? new MessagePackRpcProtocol() : new JsonRpcProtocol();
        Uri endpoint = protocolName == "msgpack" ? lighttpd.MessagePackEndpoint : lighttpd.Endpoint;
        await using var client = new RpcClient(protocol, new HttpPostClientTransport(http, endpoint, protocol.ContentType));
        await TinyRpc.Tests.DemoServerMethods.AssertEveryMethodAsync(client);
    }

    [Fact]
    public async Task Reply_has_the_json_content_type()
    {
        using HttpClient http = TestHttp.NewClient();
        using HttpResponseMessage response = await http.PostAsync(lighttpd.Endpoint, TestHttp.Json("""{"jsonrpc":"2.0","method":"get_data","id":1}"""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("""{"jsonrpc":"2.0","id":1,"result":["hello",5]}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Notification_gets_204()
    {
        using HttpClient http = TestHttp.NewClient();
        using HttpResponseMessage response = await http.PostAsync(lighttpd.Endpoint, TestHttp.Json("""{"jsonrpc":"2.0","method":"notify_hello","params":[7]}"""));
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());

        using var transport = new HttpPostClientTransport(http, lighttpd.Endpoint);
        await using var client = new RpcClient(new JsonRpcProtocol(), transport);
        await client.NotifyAsync("update", [1, 2, 3, 4, 5]);
    }

    [Fact]
    public async Task Get_gets_405_with_Allow()
    {
        using HttpClient http = TestHttp.NewClient();
        using HttpResponseMessage response = await http.GetAsync(lighttpd.Endpoint);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Contains("POST", response.Content.Headers.Allow);
    }

    [Fact]
    public async Task Oversized_body_gets_413()
    {
        using HttpClient http = TestHttp.NewClient();
        string big = $$"""{"jsonrpc":"2.0","method":"reverse_string","params":["{{new string('x', 2 * LighttpdFixture.MaxContentLength)}}"],"id":1}""";
        using HttpResponseMessage response = await http.PostAsync(lighttpd.Endpoint, TestHttp.Json(big));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);

        using var transport = new HttpPostClientTransport(http, lighttpd.Endpoint);
        await using var client = new RpcClient(new JsonRpcProtocol(), transport);
        RpcTransportException e = await Assert.ThrowsAsync<RpcTransportException>(() => client.CallAsync<string>("reverse_string", new string('y', 2 * LighttpdFixture.MaxContentLength)));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, e.StatusCode);
        Assert.Equal("olleh", await client.CallAsync<string>("reverse_string", "hello"));
    }

    [Fact]
    public async Task Plain_text_gets_415_and_garbage_a_parse_error()
    {
        using HttpClient http = TestHttp.NewClient();
        using HttpResponseMessage refused = await http.PostAsync(lighttpd.Endpoint, TestHttp.Json("""{"jsonrpc":"2.0","method":"get_data","id":1}""", "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, refused.StatusCode);

        using HttpResponseMessage garbage = await http.PostAsync(lighttpd.Endpoint, TestHttp.Json("{\"jsonrpc\": [", null));
        Assert.Equal(HttpStatusCode.OK, garbage.StatusCode);
        using JsonDocument reply = JsonDocument.Parse(await garbage.Content.ReadAsStringAsync());
        Assert.Equal(-32700, reply.RootElement.GetProperty("error").GetProperty("code").GetInt32());
    }
}

/// <summary>The demo server run directly as a CGI child process with the CGI environment variables set.</summary>
public sealed class CgiChildProcessTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private static async Task<(string Head, string Body)> RunCgiAsync(string method, string body, string? contentType = "application/json", string? contentLength = null, params string[] extraArgs)
    {
        byte[] input = Encoding.UTF8.GetBytes(body);
        var environment = new Dictionary<string, string?>
        {
            ["GATEWAY_INTERFACE"] = "CGI/1.1",
            ["REQUEST_METHOD"] = method,
            ["CONTENT_LENGTH"] = contentLength ?? input.Length.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["CONTENT_TYPE"] = contentType,
            ["SERVER_PROTOCOL"] = "HTTP/1.1",
            ["SCRIPT_NAME"] = "/cgi-bin/rpc.cgi",
        };
        ChildProcess.Result result = await ChildProcess.RunAsync(ChildProcess.DotnetPath, [ChildProcess.DemoServerPath, "--transport", "cgi", .. extraArgs], environment, input, Limit);
        Assert.True(result.ExitCode == 0, $"exit code {result.ExitCode}: {result.Stderr}");
        string output = Encoding.UTF8.GetString(result.Stdout);
        int end = output.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(end >= 0, "The headers must end with a blank line: " + output);
        return (output[..end], output[(end + 4)..]);
    }

    [Fact]
    public async Task Post_gets_status_headers_and_reply()
    {
        (string head, string body) = await RunCgiAsync("POST", """{"jsonrpc":"2.0","method":"subtract","params":{"minuend":42,"subtrahend":23},"id":3}""");
        Assert.StartsWith("Status: 200 OK\r\n", head, StringComparison.Ordinal);
        Assert.Contains("Content-Type: application/json", head);
        Assert.Contains($"Content-Length: {body.Length}", head);
        Assert.Equal("""{"jsonrpc":"2.0","id":3,"result":19}""", body);
    }

    [Fact]
    public async Task Notification_prints_204_and_a_blank_line()
    {
        (string head, string body) = await RunCgiAsync("POST", """{"jsonrpc":"2.0","method":"notify_sum","params":[1,2,4]}""");
        Assert.Equal("Status: 204 No Content", head);
        Assert.Empty(body);
    }

    [Fact]
    public async Task Get_prints_405_with_Allow()
    {
        (string head, _) = await RunCgiAsync("GET", "", contentType: null, contentLength: "");
        Assert.StartsWith("Status: 405", head, StringComparison.Ordinal);
        Assert.Contains("Allow: POST", head);
    }

    [Fact]
    public async Task Oversized_request_prints_413()
    {
        (string head, _) = await RunCgiAsync("POST", new string(' ', 2000), extraArgs: ["--max-size", "1000"]);
        Assert.StartsWith("Status: 413", head, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Form_content_type_prints_415()
    {
        (string head, _) = await RunCgiAsync("POST", "a=b", contentType: "application/x-www-form-urlencoded");
        Assert.StartsWith("Status: 415", head, StringComparison.Ordinal);
    }

    // The same content types as HttpEndpointTests' theories: CGI and the ASP.NET Core endpoint judge them alike.
    [Theory]
    [InlineData(null, true)]
    [InlineData("application/json", true)]
    [InlineData("application/json; charset=utf-8", true)]
    [InlineData("APPLICATION/JSON", true)]
    [InlineData("text/plain", false)]
    [InlineData("text/plain; charset=utf-8", false)]
    [InlineData("application/x-www-form-urlencoded", false)]
    [InlineData("multipart/form-data; boundary=x", false)]
    [InlineData("application/xml", false)]
    [InlineData("application/msgpack", false)]
    public async Task Content_types_are_judged_as_the_http_endpoint_judges_them(string? contentType, bool accepted)
    {
        (string head, string body) = await RunCgiAsync("POST", """{"jsonrpc":"2.0","method":"subtract","params":[42,23],"id":1}""", contentType);
        if (accepted)
        {
            Assert.StartsWith("Status: 200 OK", head, StringComparison.Ordinal);
            Assert.Equal("""{"jsonrpc":"2.0","id":1,"result":19}""", body);
        }
        else
        {
            Assert.StartsWith("Status: 415", head, StringComparison.Ordinal);
            Assert.Contains("send application/json", body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Body_shorter_than_content_length_gets_a_parse_error()
    {
        (string head, string body) = await RunCgiAsync("POST", """{"jsonrpc":"2.0","method":""", contentLength: "500");
        Assert.StartsWith("Status: 200 OK", head, StringComparison.Ordinal);
        Assert.Contains("-32700", body);
    }

    [Fact]
    public async Task Only_content_length_bytes_are_read()
    {
        string request = """{"jsonrpc":"2.0","method":"get_data","id":1}""";
        (_, string body) = await RunCgiAsync("POST", request + "trailing garbage", contentLength: request.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("""{"jsonrpc":"2.0","id":1,"result":["hello",5]}""", body);
    }
}
