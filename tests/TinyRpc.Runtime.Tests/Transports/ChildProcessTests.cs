using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using TinyRpc.Transports;

namespace TinyRpc.Tests.Transports;

/// <summary>
/// The transports that talk to another process through its standard streams: a server on standard
/// input/output, and a CGI program started with the CGI environment a web server would set.
/// </summary>
public sealed class ChildProcessTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private static string PeerPath { get; } = typeof(ChildProcessTests).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "TestPeerPath").Value!;

    private static Process StartPeer(IDictionary<string, string>? environment, params string[] arguments)
    {
        Assert.True(File.Exists(PeerPath), $"the test peer was not built: {PeerPath}");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(PeerPath);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return Process.Start(start)!;
    }

    private static async Task<int> WaitForExitAsync(Process process)
    {
        using var limit = new CancellationTokenSource(Limit);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("the child process did not exit: " + await process.StandardError.ReadToEndAsync());
        }

        return process.ExitCode;
    }

    [Theory]
    [InlineData(MessageFraming.ContentLength, "content-length")]
    [InlineData(MessageFraming.NewlineDelimited, "newline")]
    public async Task Standard_io_server_answers_every_request_exactly_once_then_exits(MessageFraming framing, string mode)
    {
        using Process peer = StartPeer(null, "stdio", mode);
        var input = new FramedConnection(peer.StandardOutput.BaseStream, peer.StandardInput.BaseStream, framing, ownsStreams: false);

        // Requests that take a while, quick ones, notifications and garbage, all sent before any reply is read;
        // then the input is closed: the server must still answer everything it read.
        var expected = new Dictionary<int, JsonNode?>();
        for (int i = 1; i <= 60; i++)
        {
            string request = (i % 3) switch
            {
                0 => $$"""{"jsonrpc":"2.0","method":"sleep","params":[{{i % 7 * 20}}],"id":{{i}}}""",
                1 => $$"""{"jsonrpc":"2.0","method":"subtract","params":{"subtrahend":{{i}},"minuend":100},"id":{{i}}}""",
                _ => $$"""{"jsonrpc":"2.0","method":"reverse_string","params":["ab{{i}}"],"id":{{i}}}""",
            };
            expected[i] = (i % 3) switch { 0 => i % 7 * 20, 1 => 100 - i, _ => new string($"ab{i}".Reverse().ToArray()) };
            await input.WriteAsync(Encoding.UTF8.GetBytes(request));
            await input.WriteAsync("""{"jsonrpc":"2.0","method":"subtract","params":[1,1]}"""u8.ToArray());
        }

        await input.WriteAsync("""{"jsonrpc":"2.0","method":"nope","id":1000}"""u8.ToArray());
        await input.WriteAsync("""{"jsonrpc":"2.0","method":"fail","id":1001}"""u8.ToArray());
        await input.WriteAsync("{ not json"u8.ToArray());
        peer.StandardInput.Close();

        var replies = new List<JsonNode>();
        for (int n = 0; n < 1000; n++)
        {
            ReadOnlyMemory<byte>? reply = await input.ReadAsync().AsTask().WaitAsync(Limit);
            if (reply is null)
            {
                break;
            }

            replies.Add(JsonNode.Parse(reply.Value.Span)!);
        }

        Assert.Equal(0, await WaitForExitAsync(peer));
        Assert.Equal(63, replies.Count);
        foreach ((int id, JsonNode? result) in expected)
        {
            JsonNode reply = Assert.Single(replies, r => r["id"]?.GetValueKind() == System.Text.Json.JsonValueKind.Number && (int)r["id"]! == id);
            Assert.True(JsonNode.DeepEquals(result, reply["result"]), $"id {id}: {reply.ToJsonString()}");
        }

        Assert.Equal(-32601, (int)replies.Single(r => r["id"]?.ToString() == "1000")["error"]!["code"]!);
        JsonNode error = replies.Single(r => r["id"]?.ToString() == "1001")["error"]!;
        Assert.Equal(99, (int)error["code"]!);
        Assert.Equal("Ah, that's cheating", (string)error["message"]!);
        Assert.Equal(-32700, (int)replies.Single(r => r["id"] is null)["error"]!["code"]!);
    }

    [Fact]
    public async Task Standard_io_server_survives_a_frame_cut_short_and_exits()
    {
        using Process peer = StartPeer(null, "stdio", "content-length");
        var io = new FramedConnection(peer.StandardOutput.BaseStream, peer.StandardInput.BaseStream, MessageFraming.ContentLength, ownsStreams: false);
        await io.WriteAsync("""{"jsonrpc":"2.0","method":"subtract","params":[5,2],"id":7}"""u8.ToArray());
        Assert.Equal(3, (int)JsonNode.Parse((await io.ReadAsync().AsTask().WaitAsync(Limit))!.Value.Span)!["result"]!);

        // The writer goes away in the middle of a message: the server ends without a crash.
        await peer.StandardInput.BaseStream.WriteAsync("Content-Length: 100\r\n\r\n{\"jsonrpc\""u8.ToArray());
        peer.StandardInput.Close();
        Assert.Null(await io.ReadAsync().AsTask().WaitAsync(Limit));
        Assert.Equal(0, await WaitForExitAsync(peer));
        Assert.DoesNotContain("Unhandled", await peer.StandardError.ReadToEndAsync(), StringComparison.Ordinal);
    }

    private static async Task<(string Head, string Body)> RunCgiAsync(string method, string? contentType, byte[] body, int? contentLength = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["GATEWAY_INTERFACE"] = "CGI/1.1",
            ["SERVER_PROTOCOL"] = "HTTP/1.1",
            ["REQUEST_METHOD"] = method,
            ["SCRIPT_NAME"] = "/rpc",
            ["CONTENT_LENGTH"] = (contentLength ?? body.Length).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (contentType is not null)
        {
            environment["CONTENT_TYPE"] = contentType;
        }

        using Process peer = StartPeer(environment, "cgi");
        Task<string> output = peer.StandardOutput.ReadToEndAsync();
        try
        {
            await peer.StandardInput.BaseStream.WriteAsync(body);
            peer.StandardInput.Close();
        }
        catch (IOException)
        {
            // A refused request may be answered before its body is read.
        }

        Assert.Equal(0, await WaitForExitAsync(peer));
        string text = await output.WaitAsync(Limit);
        int split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(split >= 0, "no end of CGI headers in: " + text);
        return (text[..split], text[(split + 4)..]);
    }

    [Fact]
    public async Task Cgi_program_answers_a_call()
    {
        (string head, string body) = await RunCgiAsync("POST", "application/json", """{"jsonrpc":"2.0","method":"subtract","params":[42,23],"id":1}"""u8.ToArray());
        Assert.StartsWith("Status: 200", head, StringComparison.Ordinal);
        Assert.Contains("Content-Type: application/json", head, StringComparison.Ordinal);
        Assert.Contains($"Content-Length: {Encoding.UTF8.GetByteCount(body)}", head, StringComparison.Ordinal);
        Assert.Equal(19, (int)JsonNode.Parse(body)!["result"]!);
    }

    [Fact]
    public async Task Cgi_program_answers_a_notification_with_204_and_no_body()
    {
        (string head, string body) = await RunCgiAsync("POST", null, """{"jsonrpc":"2.0","method":"subtract","params":[42,23]}"""u8.ToArray());
        Assert.StartsWith("Status: 204", head, StringComparison.Ordinal);
        Assert.Empty(body);
    }

    [Fact]
    public async Task Cgi_program_answers_garbage_with_a_parse_error()
    {
        (string head, string body) = await RunCgiAsync("POST", "application/json", "]]]"u8.ToArray());
        Assert.StartsWith("Status: 200", head, StringComparison.Ordinal);
        Assert.Equal(-32700, (int)JsonNode.Parse(body)!["error"]!["code"]!);
    }

    [Theory]
    [InlineData("GET", "application/json", 10, "Status: 405")]
    [InlineData("POST", "text/plain", 10, "Status: 415")]
    [InlineData("POST", "application/json", 65 * 1024, "Status: 413")]
    public async Task Cgi_program_refuses_what_it_does_not_serve(string method, string contentType, int size, string status)
    {
        (string head, string body) = await RunCgiAsync(method, contentType, new byte[size]);
        Assert.StartsWith(status, head, StringComparison.Ordinal);
        Assert.NotEmpty(body);
        if (method == "GET")
        {
            Assert.Contains("Allow: POST", head, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Cgi_program_with_a_body_shorter_than_announced_gets_a_parse_error()
    {
        (string head, string body) = await RunCgiAsync("POST", "application/json", """{"jsonrpc":"2.0","#"""u8.ToArray(), contentLength: 500);
        Assert.StartsWith("Status: 200", head, StringComparison.Ordinal);
        Assert.Equal(-32700, (int)JsonNode.Parse(body)!["error"]!["code"]!);
    }
}
