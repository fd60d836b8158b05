using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Server;
using TinyRpc.Tests.Dispatch;
using TinyRpc.Transports;

namespace TinyRpc.Tests.Transports;

/// <summary>What one TCP connection may cost the server, and the limits on what goes over it, with real sockets on loopback.</summary>
public sealed class StreamLimitsTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    // reverse_string and the rest, plus blob(n): a reply of n bytes or more for a request of a few dozen.
    private static RpcDispatcher CreateDispatcher()
    {
        RpcDispatcher dispatcher = ClientServerTests.CreateDispatcher();
        dispatcher.AddMethod("blob", static (r, _) => new(r.Respond(new string('x', SomeWebsite.Arg<int>(r, 0, "n")))), [new RpcParameter("n", typeof(int))]);
        return dispatcher;
    }

    [Fact]
    public async Task A_client_that_never_reads_its_replies_holds_up_only_its_own_connection()
    {
        await using TcpServerTransport transport = TcpServerTransport.Loopback(0);
        var server = new RpcServer(transport, new JsonRpcProtocol(), CreateDispatcher()); // 64 dispatch slots
        using var stop = new CancellationTokenSource();
        Task serving = server.ServeForeverAsync(stop.Token);
        int port = transport.LocalEndPoint.Port;

        // The hog asks for 500 replies of 64 KB (32 MB) and reads none: its small receive buffer, the server's send
        // buffer (at most 4 MB here) and one connection's allowance hold far fewer, let alone with every dispatch
        // slot taken on top. It sends them all in one write, which completes only once the server has read them.
        const int hogCalls = 500;
        using var hog = new TcpClient { ReceiveBufferSize = 4096, NoDelay = true };
        await hog.ConnectAsync(IPAddress.Loopback, port);
        var hogFramed = new FramedConnection(hog.GetStream(), MessageFraming.ContentLength, ownsStream: false);
        var requests = new StringBuilder();
        for (int i = 0; i < hogCalls; i++)
        {
            string request = $$"""{"jsonrpc":"2.0","method":"blob","params":[65536],"id":{{i}}}""";
            requests.Append(CultureInfo.InvariantCulture, $"Content-Length: {request.Length}\r\n\r\n{request}");
        }

        Task hogSending = hog.GetStream().WriteAsync(Encoding.ASCII.GetBytes(requests.ToString())).AsTask();

        // Eight other clients, twenty calls each one after another, all answered while the hog stays connected.
        int[][] answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(async c =>
        {
            await using var client = new RpcClient(new JsonRpcProtocol(), await StreamClientTransport.ConnectTcpAsync("127.0.0.1", port)) { Timeout = Limit };
            var results = new int[20];
            for (int i = 0; i < results.Length; i++)
            {
                results[i] = await client.CallAsync<int>("subtract", (c * 100) + i, 0);
            }

            return results;
        })).WaitAsync(Limit);
        for (int c = 0; c < answers.Length; c++)
        {
            Assert.Equal(Enumerable.Range(c * 100, 20), answers[c]);
        }

        // The hog was only held back: once it reads, it gets every reply it asked for.
        var ids = new HashSet<int>();
        for (int n = 0; n < hogCalls; n++)
        {
            ReadOnlyMemory<byte>? reply = await hogFramed.ReadAsync().AsTask().WaitAsync(Limit);
            JsonNode node = JsonNode.Parse(Assert.NotNull(reply).Span)!;
            Assert.Equal(65536, ((string)node["result"]!).Length);
            Assert.True(ids.Add((int)node["id"]!));
        }

        Assert.Equal(hogCalls, ids.Count);
        await hogSending.WaitAsync(Limit);
        await stop.CancelAsync();
        await serving.WaitAsync(Limit);
    }

    [Fact]
    public async Task Disposing_the_transport_cuts_off_a_client_that_never_reads()
    {
        TcpServerTransport transport = TcpServerTransport.Loopback(0);
        var server = new RpcServer(transport, new JsonRpcProtocol(), CreateDispatcher());
        Task serving = server.ServeForeverAsync();

        // Far more replies than the buffers and the connection's share hold; the client reads none.
        using var hog = new TcpClient { ReceiveBufferSize = 4096, NoDelay = true };
        await hog.ConnectAsync(IPAddress.Loopback, transport.LocalEndPoint.Port);
        var requests = new StringBuilder();
        for (int i = 0; i < 200; i++)
        {
            string request = $$"""{"jsonrpc":"2.0","method":"blob","params":[65536],"id":{{i}}}""";
            requests.Append(CultureInfo.InvariantCulture, $"Content-Length: {request.Length}\r\n\r\n{request}");
        }

        _ = hog.GetStream().WriteAsync(Encoding.ASCII.GetBytes(requests.ToString())).AsTask();
        await using (var client = new RpcClient(new JsonRpcProtocol(), await StreamClientTransport.ConnectTcpAsync("127.0.0.1", transport.LocalEndPoint.Port)) { Timeout = Limit })
        {
            Assert.Equal(2, await client.CallAsync<int>("subtract", 3, 1)); // served while the hog holds its share
        }

        // Queued replies get their bounded time to go out, then the connection is closed and serving ends.
        await transport.DisposeAsync().AsTask().WaitAsync(Limit);
        Assert.Equal(0, transport.ConnectionCount);
        await serving.WaitAsync(Limit);

        // The hog finds its connection closed once it reads what the kernel still held for it.
        var buffer = new byte[256 * 1024];
        bool closed = false;
        for (int n = 0; n < 10_000 && !closed; n++)
        {
            try
            {
                closed = await hog.GetStream().ReadAsync(buffer).AsTask().WaitAsync(Limit) == 0;
            }
            catch (IOException)
            {
                closed = true; // reset
            }
        }

        Assert.True(closed);
    }

    [Fact]
    public async Task A_connection_has_at_most_its_limit_of_requests_in_flight()
    {
        int running = 0, most = 0;
        RpcDispatcher dispatcher = CreateDispatcher();
        dispatcher.AddMethod("work", async (request, ct) =>
        {
            int now = Interlocked.Increment(ref running);
            for (int seen = Volatile.Read(ref most); now > seen; seen = Volatile.Read(ref most))
            {
                Interlocked.CompareExchange(ref most, now, seen);
            }

            await Task.Yield();
            Interlocked.Decrement(ref running);
            return request.Respond(SomeWebsite.Arg<int>(request, 0, "n"));
        }, [new RpcParameter("n", typeof(int))]);
        await using TcpServerTransport transport = TcpServerTransport.Loopback(0);
        Assert.Throws<ArgumentOutOfRangeException>(() => transport.MaxRequestsInFlightPerConnection = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => transport.MaxQueuedReplyBytesPerConnection = 0);
        transport.MaxRequestsInFlightPerConnection = 1;
        var server = new RpcServer(transport, new JsonRpcProtocol(), dispatcher);
        using var stop = new CancellationTokenSource();
        Task serving = server.ServeForeverAsync(stop.Token);

        // Forty calls outstanding at once on one connection, with 64 dispatch slots: the connection's limit of one
        // request read and not yet answered lets the server see them only one after another.
        await using (var client = new RpcClient(new JsonRpcProtocol(), await StreamClientTransport.ConnectTcpAsync("127.0.0.1", transport.LocalEndPoint.Port)) { Timeout = Limit })
        {
            int[] results = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => client.CallAsync<int>("work", i))).WaitAsync(Limit);
            Assert.Equal(Enumerable.Range(0, 40), results);
        }

        Assert.Equal(1, most);
        await stop.CancelAsync();
        await serving.WaitAsync(Limit);
    }

    [Theory]
    [InlineData(MessageFraming.ContentLength)]
    [InlineData(MessageFraming.NewlineDelimited)]
    public async Task A_reply_over_the_size_limit_comes_back_as_an_error_for_its_request(MessageFraming framing)
    {
        await using TcpServerTransport transport = TcpServerTransport.Loopback(0, framing, maxMessageSize: 64 * 1024);
        var server = new RpcServer(transport, new JsonRpcProtocol(), CreateDispatcher());
        using var stop = new CancellationTokenSource();
        Task serving = server.ServeForeverAsync(stop.Token);
        await using var client = new RpcClient(new JsonRpcProtocol(), await StreamClientTransport.ConnectTcpAsync("127.0.0.1", transport.LocalEndPoint.Port, framing))
        {
            Timeout = Limit,
        };

        RpcException error = await Assert.ThrowsAnyAsync<RpcException>(() => client.CallAsync<string>("blob", 100_000));
        Assert.Equal(RpcErrorCodes.InternalError, error.Code);
        Assert.Contains("too large", error.Message, StringComparison.Ordinal);

        // Sent as raw UTF-8 (as Python's tinyrpc sends it), 4 bytes an emoji, the request is within the limit;
        // reversing splits every surrogate pair and each half is escaped in the reply: 12 bytes an emoji.
        using (var raw = new TcpClient())
        {
            await raw.ConnectAsync(IPAddress.Loopback, transport.LocalEndPoint.Port);
            await using var framed = new FramedConnection(raw.GetStream(), framing, ownsStream: false);
            string emoji = string.Concat(Enumerable.Repeat("\U0001F600", 10_000));
            await framed.WriteAsync(Encoding.UTF8.GetBytes($$"""{"jsonrpc":"2.0","method":"reverse_string","params":["{{emoji}}"],"id":7}"""));
            JsonNode reply = JsonNode.Parse(Assert.NotNull(await framed.ReadAsync().AsTask().WaitAsync(Limit)).Span)!;
            Assert.Equal((7, RpcErrorCodes.InternalError), ((int)reply["id"]!, (int)reply["error"]!["code"]!));
        }

        // A batch whose reply is too large as a whole: every member expecting a reply gets the error instead.
        RpcResponse[] batch = await client.BatchCallAsync([new RpcCall("blob", [40_000]), new RpcCall("blob", [40_000]), new RpcCall("subtract", [3, 1])]);
        Assert.All(batch, r => Assert.Equal(RpcErrorCodes.InternalError, Assert.IsAssignableFrom<RpcErrorResponse>(r).Code));

        // The connection serves on; a reply at the limit goes through.
        Assert.Equal(2, await client.CallAsync<int>("subtract", 3, 1));
        Assert.Equal(60_000, (await client.CallAsync<string>("blob", 60_000)).Length);
        await stop.CancelAsync();
        await serving.WaitAsync(Limit);
    }

    [Theory]
    [InlineData(MessageFraming.ContentLength)]
    [InlineData(MessageFraming.NewlineDelimited)]
    public async Task A_request_over_the_size_limit_fails_the_call_instead_of_leaving_it_waiting(MessageFraming framing)
    {
        await using TcpServerTransport transport = TcpServerTransport.Loopback(0, framing, maxMessageSize: 64 * 1024);
        var server = new RpcServer(transport, new JsonRpcProtocol(), CreateDispatcher());
        using var stop = new CancellationTokenSource();
        Task serving = server.ServeForeverAsync(stop.Token);
        int port = transport.LocalEndPoint.Port;

        // Over the server's limit: the server closes the connection, and the client's calls fail with it.
        await using (var client = new RpcClient(new JsonRpcProtocol(), await StreamClientTransport.ConnectTcpAsync("127.0.0.1", port, framing)) { Timeout = Limit })
        {
            await Assert.ThrowsAnyAsync<RpcTransportException>(() => client.CallAsync<string>("reverse_string", new string('a', 100_000)));
        }

        // Over the client's own limit: refused before anything is sent.
        await using (var client = new RpcClient(new JsonRpcProtocol(), await StreamClientTransport.ConnectTcpAsync("127.0.0.1", port, framing, maxMessageSize: 1024)) { Timeout = Limit })
        {
            RpcTransportException error = await Assert.ThrowsAnyAsync<RpcTransportException>(() => client.CallAsync<string>("reverse_string", new string('a', 2000)));
            Assert.Contains("at most 1024", error.Message, StringComparison.Ordinal);
            Assert.Equal("cba", await client.CallAsync<string>("reverse_string", "abc"));
        }

        await stop.CancelAsync();
        await serving.WaitAsync(Limit);
    }

    private const string Body = """{"jsonrpc":"2.0","method":"subtract","params":[5,3],"id":1}""";

    public static TheoryData<string, bool> HeaderBlocks => new()
    {
        { "conflicting lengths", true },
        { "equal lengths twice", true },
        { "header block over 1024 bytes", true },
        { "header block of 1024 bytes", false },
        { "extra header", false },
    };

    [Theory]
    [MemberData(nameof(HeaderBlocks))]
    public async Task Bad_header_blocks_close_the_connection_however_they_arrive(string headers, bool refused)
    {
        string head = headers switch
        {
            "conflicting lengths" => $"Content-Length: 10\r\nContent-Length: {Body.Length}\r\n\r\n",
            "equal lengths twice" => $"Content-Length: {Body.Length}\r\nContent-Length: {Body.Length}\r\n\r\n",
            "header block over 1024 bytes" => Padded(1025),
            "header block of 1024 bytes" => Padded(1024),
            _ => $"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\nContent-Length: {Body.Length}\r\n\r\n",
        };
        byte[] bytes = Encoding.ASCII.GetBytes(head + Body);

        await using TcpServerTransport transport = TcpServerTransport.Loopback(0);
        var server = new RpcServer(transport, new JsonRpcProtocol(), CreateDispatcher());
        using var stop = new CancellationTokenSource();
        Task serving = server.ServeForeverAsync(stop.Token);

        foreach (bool byteByByte in new[] { false, true })
        {
            string? reply = await ExchangeRawAsync(transport.LocalEndPoint.Port, bytes, byteByByte);
            if (refused)
            {
                Assert.Null(reply);
            }
            else
            {
                Assert.Equal(2, (int)JsonNode.Parse(Assert.IsType<string>(reply))!["result"]!);
            }
        }

        // The server serves on.
        Assert.Equal(2, (int)JsonNode.Parse(Assert.IsType<string>(await ExchangeRawAsync(transport.LocalEndPoint.Port, Encoding.ASCII.GetBytes($"Content-Length: {Body.Length}\r\n\r\n{Body}"), false)))!["result"]!);
        await stop.CancelAsync();
        await serving.WaitAsync(Limit);

        // A header block of exactly `size` bytes, up to and including the blank line that ends it.
        static string Padded(int size)
        {
            string length = $"Content-Length: {Body.Length}\r\n";
            string pad = "X-Pad: " + new string('p', size - length.Length - "X-Pad: \r\n\r\n".Length) + "\r\n\r\n";
            return length + pad;
        }
    }

    // Sends the bytes in one write or one byte a write; returns the reply, or null when the server closed the connection.
    private static async Task<string?> ExchangeRawAsync(int port, byte[] bytes, bool byteByByte)
    {
        using var raw = new TcpClient { NoDelay = true };
        await raw.ConnectAsync(IPAddress.Loopback, port);
        NetworkStream stream = raw.GetStream();
        try
        {
            for (int at = 0; at < bytes.Length; at += byteByByte ? 1 : bytes.Length)
            {
                await stream.WriteAsync(bytes.AsMemory(at, byteByByte ? 1 : bytes.Length));
            }
        }
        catch (IOException)
        {
            // The server closed the connection before the last byte.
        }

        await using var framed = new FramedConnection(stream, MessageFraming.ContentLength, ownsStream: false);
        try
        {
            ReadOnlyMemory<byte>? reply = await framed.ReadAsync().AsTask().WaitAsync(Limit);
            return reply is { } r ? Encoding.UTF8.GetString(r.Span) : null;
        }
        catch (IOException)
        {
            return null; // closed with a reset: the server had not read everything
        }
    }
}
