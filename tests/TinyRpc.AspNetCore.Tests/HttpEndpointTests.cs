using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using TinyRpc.Client;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Transports;

namespace TinyRpc.AspNetCore.Tests;

/// <summary>The HTTP rules of <c>MapTinyRpc</c>, checked with raw HttpClient requests and TinyRpc's HTTP client transport.</summary>
public sealed class HttpEndpointTests
{
    private const string Call = """{"jsonrpc":"2.0","method":"add","params":[2,3],"id":1}""";

    private static Task<KestrelHost> StartAsync(RpcHttpOptions? options = null, TestService? service = null, ConcurrentQueue<IHeaderDictionary>? seen = null)
        => KestrelHost.StartAsync(app =>
        {
            if (seen is not null)
            {
                app.Use((RequestDelegate next) => context =>
                {
                    seen.Enqueue(new HeaderDictionary(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value)));
                    return next(context);
                });
            }

            app.MapTinyRpc("/rpc", TestService.CreateDispatcher(service ?? new TestService()), new JsonRpcProtocol(), options);
        });

    [Fact]
    public async Task Client_transport_calls_the_dispatcher()
    {
        await using KestrelHost host = await StartAsync();
        using var transport = new HttpPostClientTransport(host.Http("/rpc"));
        await using var client = new RpcClient(new JsonRpcProtocol(), transport);

        Assert.Equal(5, await client.CallAsync<int>("add", 2, 3));
        Assert.Equal("olleh", await client.CallAsync<string>("reverse_string", "hello"));
        int[] results = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => client.CallAsync<int>("add", i, 1)));
        Assert.Equal(Enumerable.Range(1, 50), results);

        RpcException error = await Assert.ThrowsAnyAsync<RpcException>(() => client.CallAsync<object>("fail"));
        Assert.Equal(99, error.Code);
        Assert.Equal("Ah, that's cheating", error.Message);
        Assert.Equal("data", error.GetData<string>());

        RpcException missing = await Assert.ThrowsAnyAsync<RpcException>(() => client.CallAsync<object>("nope"));
        Assert.Equal(-32601, missing.Code);
    }

    [Fact]
    public async Task Reply_carries_the_protocol_content_type_and_length()
    {
        await using KestrelHost host = await StartAsync();
        using HttpClient http = TestHttp.NewClient();
        using HttpResponseMessage response = await http.PostAsync(host.Http("/rpc"), TestHttp.Json(Call));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        string body = await response.Content.ReadAsStringAsync();
        Assert.Equal(body.Length, response.Content.Headers.ContentLength);
        Assert.Equal("""{"jsonrpc":"2.0","id":1,"result":5}""", body);
    }

    [Fact]
    public async Task Notification_is_answered_204_without_body()
    {
        var service = new TestService();
        await using KestrelHost host = await StartAsync(service: service);
        using HttpClient http = TestHttp.NewClient();
        using HttpResponseMessage response = await http.PostAsync(host.Http("/rpc"), TestHttp.Json("""{"jsonrpc":"2.0","method":"notify"}"""));
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(1, service.Notifications);

        using var transport = new HttpPostClientTransport(host.Http("/rpc"));
        await using var client = new RpcClient(new JsonRpcProtocol(), transport);
        await client.NotifyAsync("notify");
        Assert.Equal(2, service.Notifications);
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("PATCH")]
    [InlineData("HEAD")]
    public async Task Methods_other_than_POST_get_405_with_Allow(string method)
    {
        await using KestrelHost host = await StartAsync();
        using HttpClient http = TestHttp.NewClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), host.Http("/rpc"));
        using HttpResponseMessage response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Contains("POST", response.Content.Headers.Allow);
        Assert.Contains("OPTIONS", response.Content.Headers.Allow);
        if (method != "HEAD")
        {
            Assert.Contains("Only POST", await response.Content.ReadAsStringAsync());
        }
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("text/plain; charset=utf-8")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    [InlineData("application/xml")]
    [InlineData("application/msgpack")]
    public async Task Other_content_types_get_415(string contentType)
    {
        await using KestrelHost host = await StartAsync();
        using HttpClient http = TestHttp.NewClient();
        using HttpResponseMessage response = await http.PostAsync(host.Http("/rpc"), TestHttp.Json(Call, contentType));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Contains("application/json", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("application/json")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("APPLICATION/JSON")]
    public async Task Protocol_content_type_or_none_is_accepted(string? contentType)
    {
        await using KestrelHost host = await StartAsync();
        using HttpClient http = TestHttp.NewClient();
        using HttpResponseMessage response = await http.PostAsync(host.Http("/rpc"), TestHttp.Json(Call, contentType));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Additional_content_types_can_be_accepted()
    {
        var options = new RpcHttpOptions();
        options.AdditionalContentTypes.Add("application/json-rpc");
        await using KestrelHost host = await StartAsync(options);
        using HttpClient http = TestHttp.NewClient();
        using HttpResponseMessage accepted = await http.PostAsync(host.Http("/rpc"), TestHttp.Json(Call, "application/json-rpc"));
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal("application/json", accepted.Content.Headers.ContentType?.MediaType);
        using HttpResponseMessage refused = await http.PostAsync(host.Http("/rpc"), TestHttp.Json(Call, "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, refused.StatusCode);
    }

    [Fact]
    public async Task Oversized_body_gets_413_with_content_length_and_chunked()
    {
        await using KestrelHost host = await StartAsync(new RpcHttpOptions { MaxContentLength = 256 });
        using HttpClient http = TestHttp.NewClient();
        string big = $$"""{"jsonrpc":"2.0","method":"reverse_string","params":["{{new string('x', 300)}}"],"id":1}""";

        using HttpResponseMessage declared = await http.PostAsync(host.Http("/rpc"), TestHttp.Json(big));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, declared.StatusCode);
        Assert.Contains("256", await declared.Content.ReadAsStringAsync());

        using var chunked = new HttpRequestMessage(HttpMethod.Post, host.Http("/rpc")) { Content = TestHttp.Json(big) };
        chunked.Headers.TransferEncodingChunked = true;
        using HttpResponseMessage streamed = await http.SendAsync(chunked);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, streamed.StatusCode);

        string fits = $$"""{"jsonrpc":"2.0","method":"reverse_string","params":["{{new string('x', 100)}}"],"id":1}""";
        using var chunkedFits = new HttpRequestMessage(HttpMethod.Post, host.Http("/rpc")) { Content = TestHttp.Json(fits) };
        chunkedFits.Headers.TransferEncodingChunked = true;
        using HttpResponseMessage ok = await http.SendAsync(chunkedFits);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);

        using var transport = new HttpPostClientTransport(http, host.Http("/rpc"));
        await using var client = new RpcClient(new JsonRpcProtocol(), transport);
        RpcTransportException e = await Assert.ThrowsAsync<RpcTransportException>(() => client.CallAsync<string>("reverse_string", new string('y', 400)));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, e.StatusCode);
        Assert.Contains("413", e.Message);
    }

    [Fact]
    public async Task Larger_limit_than_kestrel_default_is_honoured()
    {
        await using KestrelHost host = await StartAsync(new RpcHttpOptions { MaxContentLength = 40 * 1024 * 1024 });
        using HttpClient http = TestHttp.NewClient();
        using var transport = new HttpPostClientTransport(http, host.Http("/rpc"));
        await using var client = new RpcClient(new JsonRpcProtocol(), transport);
        string s = new('z', 31 * 1024 * 1024);
        Assert.Equal(s.Length, (await client.CallAsync<string>("reverse_string", s)).Length);
    }

    [Theory]
    [InlineData("{\"jsonrpc\":\"2.0\",\"method\":")]
    [InlineData("not json at all")]
    [InlineData("")]
    public async Task Malformed_json_gets_the_protocols_parse_error(string body)
    {
        await using KestrelHost host = await StartAsync();
        using HttpClient http = TestHttp.NewClient();
        using HttpResponseMessage response = await http.PostAsync(host.Http("/rpc"), TestHttp.Json(body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using JsonDocument reply = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(-32700, reply.RootElement.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal(JsonValueKind.Null, reply.RootElement.GetProperty("id").ValueKind);

        using HttpResponseMessage after = await http.PostAsync(host.Http("/rpc"), TestHttp.Json(Call));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task Batch_is_answered_in_one_reply()
    {
        await using KestrelHost host = await StartAsync();
        using HttpClient http = TestHttp.NewClient();
        using HttpResponseMessage response = await http.PostAsync(host.Http("/rpc"),
            TestHttp.Json("""[{"jsonrpc":"2.0","method":"add","params":[1,2],"id":1},{"jsonrpc":"2.0","method":"notify"},{"jsonrpc":"2.0","method":"add","params":[3,4],"id":2}]"""));
        using JsonDocument reply = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(2, reply.RootElement.GetArrayLength());

        using HttpResponseMessage onlyNotifications = await http.PostAsync(host.Http("/rpc"), TestHttp.Json("""[{"jsonrpc":"2.0","method":"notify"}]"""));
        Assert.Equal(HttpStatusCode.NoContent, onlyNotifications.StatusCode);
    }

    [Fact]
    public async Task No_cors_headers_unless_configured()
    {
        await using KestrelHost host = await StartAsync();
        using HttpClient http = TestHttp.NewClient();
        using var post = new HttpRequestMessage(HttpMethod.Post, host.Http("/rpc")) { Content = TestHttp.Json(Call) };
        post.Headers.Add("Origin", "http://example.test");
        using HttpResponseMessage response = await http.SendAsync(post);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));

        using var preflight = new HttpRequestMessage(HttpMethod.Options, host.Http("/rpc"));
        preflight.Headers.Add("Origin", "http://example.test");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        using HttpResponseMessage answer = await http.SendAsync(preflight);
        Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
        Assert.False(answer.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.False(answer.Headers.Contains("Access-Control-Allow-Methods"));
    }

    [Fact]
    public async Task Configured_origin_is_allowed_and_preflight_answered()
    {
        await using KestrelHost host = await StartAsync(new RpcHttpOptions { AllowedOrigin = "http://app.test", PreflightMaxAge = TimeSpan.FromSeconds(60) });
        using HttpClient http = TestHttp.NewClient();

        using var preflight = new HttpRequestMessage(HttpMethod.Options, host.Http("/rpc"));
        preflight.Headers.Add("Origin", "http://app.test");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type, authorization");
        using HttpResponseMessage answer = await http.SendAsync(preflight);
        Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
        Assert.Equal("http://app.test", Assert.Single(answer.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.Contains("POST", string.Join(",", answer.Headers.GetValues("Access-Control-Allow-Methods")));
        Assert.Equal("content-type, authorization", string.Join(",", answer.Headers.GetValues("Access-Control-Allow-Headers")));
        Assert.Equal("60", Assert.Single(answer.Headers.GetValues("Access-Control-Max-Age")));
        Assert.Contains("Origin", answer.Headers.Vary);

        using var post = new HttpRequestMessage(HttpMethod.Post, host.Http("/rpc")) { Content = TestHttp.Json(Call) };
        post.Headers.Add("Origin", "http://app.test");
        using HttpResponseMessage allowed = await http.SendAsync(post);
        Assert.Equal("http://app.test", Assert.Single(allowed.Headers.GetValues("Access-Control-Allow-Origin")));

        using var other = new HttpRequestMessage(HttpMethod.Post, host.Http("/rpc")) { Content = TestHttp.Json(Call) };
        other.Headers.Add("Origin", "http://evil.test");
        using HttpResponseMessage refused = await http.SendAsync(other);
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));

        using var wrongMethod = new HttpRequestMessage(HttpMethod.Get, host.Http("/rpc"));
        wrongMethod.Headers.Add("Origin", "http://app.test");
        using HttpResponseMessage notAllowed = await http.SendAsync(wrongMethod);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, notAllowed.StatusCode);
        Assert.Equal("http://app.test", Assert.Single(notAllowed.Headers.GetValues("Access-Control-Allow-Origin")));
    }

    [Fact]
    public async Task Wildcard_origin_allows_any()
    {
        await using KestrelHost host = await StartAsync(new RpcHttpOptions { AllowedOrigin = "*" });
        using HttpClient http = TestHttp.NewClient();
        using var post = new HttpRequestMessage(HttpMethod.Post, host.Http("/rpc")) { Content = TestHttp.Json(Call) };
        post.Headers.Add("Origin", "http://anything.test");
        using HttpResponseMessage response = await http.SendAsync(post);
        Assert.Equal("*", Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
    }

    [Fact]
    public async Task Client_transport_sends_its_content_type_and_default_headers()
    {
        var seen = new ConcurrentQueue<IHeaderDictionary>();
        await using KestrelHost host = await StartAsync(seen: seen);
        using HttpClient http = TestHttp.NewClient();
        using var transport = new HttpPostClientTransport(http, host.Http("/rpc"), "application/json; charset=utf-8");
        transport.DefaultHeaders!.Authorization = new AuthenticationHeaderValue("Bearer", "secret-token");
        transport.DefaultHeaders.Add("X-Trace", "abc");
        await using var client = new RpcClient(new JsonRpcProtocol(), transport);
        Assert.Equal(5, await client.CallAsync<int>("add", 2, 3));

        IHeaderDictionary headers = Assert.Single(seen);
        Assert.Equal("application/json; charset=utf-8", headers.ContentType.ToString());
        Assert.Equal("Bearer secret-token", headers.Authorization.ToString());
        Assert.Equal("abc", headers["X-Trace"].ToString());
        Assert.True(headers.ContainsKey("Content-Length"));
    }

    [Fact]
    public async Task A_request_whose_client_goes_away_cancels_the_methods_token()
    {
        var service = new TestService();
        await using KestrelHost host = await StartAsync(service: service);
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync(IPAddress.Loopback, host.BaseAddress.Port);
            string body = """{"jsonrpc":"2.0","method":"wait_for_cancellation","id":1}""";
            await tcp.GetStream().WriteAsync(Encoding.ASCII.GetBytes($"POST /rpc HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n{body}"));
            await tcp.GetStream().FlushAsync();
            await service.WaitStarted.Task.WaitAsync(KestrelHost.Limit);

            // Close with a reset: the server sees the client gone at once.
            tcp.Client.LingerState = new LingerOption(true, 0);
        }

        await service.WaitCancelled.Task.WaitAsync(KestrelHost.Limit);

        // The endpoint keeps serving.
        using var transport = new HttpPostClientTransport(host.Http("/rpc"));
        await using var client = new RpcClient(new JsonRpcProtocol(), transport);
        Assert.Equal(5, await client.CallAsync<int>("add", 2, 3));
    }

    [Fact]
    public async Task Client_transport_times_out_and_stays_usable()
    {
        await using KestrelHost host = await StartAsync();
        using HttpClient http = TestHttp.NewClient();
        using var transport = new HttpPostClientTransport(http, host.Http("/rpc")) { Timeout = TimeSpan.FromMilliseconds(200) };
        await using var client = new RpcClient(new JsonRpcProtocol(), transport);

        TimeoutException timeout = await Assert.ThrowsAsync<TimeoutException>(() => client.CallAsync<bool>("sleep", 10_000));
        Assert.Contains("/rpc", timeout.Message);

        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        transport.Timeout = Timeout.InfiniteTimeSpan;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.CallAsync<bool>("sleep", [10_000], null, cancel.Token));

        Assert.Equal(5, await client.CallAsync<int>("add", 2, 3));
    }

    [Fact]
    public async Task Client_transport_turns_non_2xx_into_clear_exceptions()
    {
        await using KestrelHost host = await KestrelHost.StartAsync(app =>
        {
            app.MapTinyRpc("/rpc", TestService.CreateDispatcher(new TestService()), new JsonRpcProtocol());
            app.Map("/broken", (RequestDelegate)(context =>
            {
                context.Response.StatusCode = 502;
                return context.Response.WriteAsync("upstream is down");
            }));
        });
        using HttpClient http = TestHttp.NewClient();

        using var missing = new HttpPostClientTransport(http, host.Http("/nowhere"));
        RpcTransportException notFound = await Assert.ThrowsAsync<RpcTransportException>(async () => await missing.SendMessageAsync(Encoding.UTF8.GetBytes(Call)));
        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        Assert.Contains("404", notFound.Message);

        using var broken = new HttpPostClientTransport(http, host.Http("/broken"));
        RpcTransportException badGateway = await Assert.ThrowsAsync<RpcTransportException>(async () => await broken.SendMessageAsync(Encoding.UTF8.GetBytes(Call)));
        Assert.Equal(HttpStatusCode.BadGateway, badGateway.StatusCode);
        Assert.Contains("502", badGateway.Message);
        Assert.Contains("upstream is down", badGateway.Message);

        using var refused = new HttpPostClientTransport(http, host.Http("/rpc"), "text/plain");
        RpcTransportException unsupported = await Assert.ThrowsAsync<RpcTransportException>(async () => await refused.SendMessageAsync(Encoding.UTF8.GetBytes(Call)));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, unsupported.StatusCode);
    }

    [Fact]
    public async Task Client_transport_reports_an_unreachable_server()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        using HttpClient http = TestHttp.NewClient();
        using var transport = new HttpPostClientTransport(http, new Uri($"http://127.0.0.1:{port}/rpc"));
        RpcTransportException e = await Assert.ThrowsAsync<RpcTransportException>(async () => await transport.SendMessageAsync(Encoding.UTF8.GetBytes(Call)));
        Assert.Contains("failed", e.Message);
        Assert.Null(e.StatusCode);
    }

    [Fact]
    public async Task Connection_dropped_mid_request_leaves_the_server_serving()
    {
        await using KestrelHost host = await StartAsync();
        for (int i = 0; i < 5; i++)
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, host.BaseAddress.Port);
            NetworkStream stream = tcp.GetStream();
            byte[] head = Encoding.ASCII.GetBytes($"POST /rpc HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"jsonrpc\":\"2.0\",");
            await stream.WriteAsync(head);
            await stream.FlushAsync();
            tcp.Client.LingerState = new LingerOption(true, 0);
            tcp.Close();
        }

        using HttpClient http = TestHttp.NewClient();
        using HttpResponseMessage response = await http.PostAsync(host.Http("/rpc"), TestHttp.Json(Call));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Client_gone_while_the_method_runs_leaves_the_server_serving()
    {
        await using KestrelHost host = await StartAsync();
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync(IPAddress.Loopback, host.BaseAddress.Port);
            NetworkStream stream = tcp.GetStream();
            string body = """{"jsonrpc":"2.0","method":"sleep","params":[300],"id":7}""";
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST /rpc HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {body.Length}\r\n\r\n{body}"));
            await stream.FlushAsync();
            tcp.Client.LingerState = new LingerOption(true, 0);
        }

        using HttpClient http = TestHttp.NewClient();
        using HttpResponseMessage response = await http.PostAsync(host.Http("/rpc"), TestHttp.Json("""{"jsonrpc":"2.0","method":"sleep","params":[400],"id":8}"""));
        Assert.Equal("""{"jsonrpc":"2.0","id":8,"result":true}""", await response.Content.ReadAsStringAsync());
    }
}
