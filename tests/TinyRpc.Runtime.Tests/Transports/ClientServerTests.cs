using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Pipelines;
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

public sealed class ClientServerTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    internal static RpcDispatcher CreateDispatcher()
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterStatic<Calculator>();
        dispatcher.RegisterInstance(new SomeWebsite("a"), "sitea.");
        dispatcher.AddMethod("reverse_string", static (r, _) =>
        {
            string s = SomeWebsite.Arg<string>(r, 0, "s");
            return new(r.Respond(new string(s.Reverse().ToArray())));
        }, [new RpcParameter("s", typeof(string))]);
        dispatcher.AddMethod("sleep", static async (r, ct) =>
        {
            await Task.Delay(SomeWebsite.Arg<int>(r, 0, "ms"), ct);
            return r.Respond(true);
        }, [new RpcParameter("ms", typeof(int))]);
        return dispatcher;
    }

    [Fact]
    public async Task In_memory_round_trip_with_many_calls_outstanding()
    {
        (InMemoryClientTransport clientTransport, InMemoryServerTransport serverTransport) = InMemoryTransport.CreatePair();
        var server = new RpcServer(serverTransport, new JsonRpcProtocol(), CreateDispatcher());
        using var stop = new CancellationTokenSource(Limit);
        Task serving = server.ServeForeverAsync(stop.Token);
        await using var client = new RpcClient(new JsonRpcProtocol(), clientTransport);

        Assert.Equal("olleh", await client.CallAsync<string>("reverse_string", "hello"));
        int[] results = await Task.WhenAll(Enumerable.Range(0, 500).Select(i => client.CallAsync<int>("subtract", i, 1)));
        Assert.Equal(Enumerable.Range(-1, 500), results);
        Assert.Equal(0, client.PendingCalls);

        await client.NotifyAsync("subtract", [1, 2]);
        RpcResponse[] batch = await client.BatchCallAsync([new RpcCall("subtract", [10, 3]), new RpcCall("nope"), new RpcCall("sitea.get_user_info", ["x"])]);
        Assert.Equal(7, batch[0].GetResult<int>());
        Assert.Equal(-32601, ((RpcErrorResponse)batch[1]).Code);
        Assert.Equal("a:x", batch[2].GetResult<string>());

        RpcProxy site = client.GetProxy("sitea.");
        Assert.Equal("a:comment3", await site.CallAsync<string>("get_user_comment", 3));

        clientTransport.Dispose();
        await serving.WaitAsync(Limit);
    }

    [Fact]
    public async Task Errors_come_back_as_exceptions_or_values()
    {
        (InMemoryClientTransport clientTransport, InMemoryServerTransport serverTransport) = InMemoryTransport.CreatePair();
        var server = new RpcServer(serverTransport, new JsonRpcProtocol(), CreateDispatcher());
        using var stop = new CancellationTokenSource(Limit);
        _ = server.ServeForeverAsync(stop.Token);
        var protocol = new JsonRpcProtocol();
        await using var client = new RpcClient(protocol, clientTransport);

        var error = await Assert.ThrowsAsync<JsonRpcException>(() => client.CallAsync<int>("subtract", "x", 1));
        Assert.Equal(-32602, error.Code);
        Assert.Contains("minuend", error.Message, StringComparison.Ordinal);

        protocol.RaisesErrors = false;
        RpcResponse? response = await client.SendAsync(protocol.CreateRequest("nope"));
        Assert.Equal(-32601, Assert.IsType<JsonRpcErrorResponse>(response).Code);
        await stop.CancelAsync();
    }

    [Fact]
    public async Task Timeouts_and_cancellation_leave_the_client_usable()
    {
        (InMemoryClientTransport clientTransport, InMemoryServerTransport serverTransport) = InMemoryTransport.CreatePair();
        var server = new RpcServer(serverTransport, new JsonRpcProtocol(), CreateDispatcher());
        using var stop = new CancellationTokenSource(Limit);
        _ = server.ServeForeverAsync(stop.Token);
        await using var client = new RpcClient(new JsonRpcProtocol(), clientTransport) { Timeout = TimeSpan.FromMilliseconds(200) };

        await Assert.ThrowsAsync<TimeoutException>(() => client.CallAsync<bool>("sleep", 5000));
        client.Timeout = Limit; // only the cancellation can end the next call, however late its timer fires
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.CallAsync<bool>("sleep", [5000], null, cancel.Token));
        Assert.Equal(2, await client.CallAsync<int>("subtract", 3, 1));
        Assert.Equal(0, client.PendingCalls);
        await stop.CancelAsync();
    }

    [Fact]
    public async Task Trace_sees_every_message_in_and_out()
    {
        (InMemoryClientTransport clientTransport, InMemoryServerTransport serverTransport) = InMemoryTransport.CreatePair();
        var traced = new ConcurrentQueue<string>();
        var server = new RpcServer(serverTransport, new JsonRpcProtocol(), CreateDispatcher(), new RpcServerOptions { MaxConcurrency = 1 })
        {
            Trace = (direction, _, message) => traced.Enqueue(direction + " " + Encoding.UTF8.GetString(message.Span)),
        };
        using var stop = new CancellationTokenSource(Limit);
        _ = server.ServeForeverAsync(stop.Token);
        await using var client = new RpcClient(new JsonRpcProtocol(), clientTransport);
        await client.CallAsync<int>("subtract", 3, 1);
        await client.NotifyAsync("subtract", [3, 1]);
        await client.CallAsync<int>("subtract", 3, 2);
        string[] lines = traced.ToArray();
        Assert.Equal(6, lines.Length);
        Assert.StartsWith("--> {", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("<-- {", lines[1], StringComparison.Ordinal);
        Assert.Equal("<-- ", lines[3]); // the notification: no reply
        await stop.CancelAsync();
    }

    [Fact]
    public async Task Graceful_shutdown_finishes_requests_in_flight()
    {
        (InMemoryClientTransport clientTransport, InMemoryServerTransport serverTransport) = InMemoryTransport.CreatePair();
        RpcDispatcher dispatcher = CreateDispatcher();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        dispatcher.AddMethod("sleep_signalled", async (r, ct) =>
        {
            started.TrySetResult();
            await Task.Delay(300, ct);
            return r.Respond(true);
        });
        var server = new RpcServer(serverTransport, new JsonRpcProtocol(), dispatcher);
        using var stop = new CancellationTokenSource();
        Task serving = server.ServeForeverAsync(stop.Token);
        await using var client = new RpcClient(new JsonRpcProtocol(), clientTransport);
        Task<bool> slow = client.CallAsync<bool>("sleep_signalled");

        // Stop once the request is running, not after a guessed delay.
        await started.Task.WaitAsync(Limit);
        await stop.CancelAsync();
        await serving.WaitAsync(Limit);
        Assert.True(await slow.WaitAsync(Limit));
    }

    [Fact]
    public async Task Receive_one_message_handles_exactly_one()
    {
        (InMemoryClientTransport clientTransport, InMemoryServerTransport serverTransport) = InMemoryTransport.CreatePair();
        var server = new RpcServer(serverTransport, new JsonRpcProtocol(), CreateDispatcher());
        await using var client = new RpcClient(new JsonRpcProtocol(), clientTransport);
        Task<int> call = client.CallAsync<int>("subtract", 9, 4);
        Assert.True(await server.ReceiveOneMessageAsync().WaitAsync(Limit));
        Assert.Equal(5, await call.WaitAsync(Limit));
        clientTransport.Dispose();
        Assert.False(await server.ReceiveOneMessageAsync().WaitAsync(Limit));
    }

    [Theory]
    [InlineData(MessageFraming.ContentLength)]
    [InlineData(MessageFraming.NewlineDelimited)]
    public async Task Tcp_serves_concurrent_clients_and_survives_bad_ones(MessageFraming framing)
    {
        await using TcpServerTransport transport = TcpServerTransport.Loopback(0, framing, maxMessageSize: 64 * 1024);
        var server = new RpcServer(transport, new JsonRpcProtocol(), CreateDispatcher());
        using var stop = new CancellationTokenSource(Limit);
        Task serving = server.ServeForeverAsync(stop.Token);
        int port = transport.LocalEndPoint.Port;

        // Ten clients with fifty calls each in flight at once.
        int[][] all = await Task.WhenAll(Enumerable.Range(0, 10).Select(async c =>
        {
            await using var client = new RpcClient(new JsonRpcProtocol(), await StreamClientTransport.ConnectTcpAsync("127.0.0.1", port, framing));
            return await Task.WhenAll(Enumerable.Range(0, 50).Select(i => client.CallAsync<int>("subtract", c * 100 + i, 0)));
        }));
        for (int c = 0; c < 10; c++)
        {
            Assert.Equal(Enumerable.Range(c * 100, 50), all[c]);
        }

        // Garbage that still frames as a message gets a parse error; garbage that breaks framing closes that connection only.
        using (var raw = new TcpClient())
        {
            await raw.ConnectAsync("127.0.0.1", port);
            NetworkStream stream = raw.GetStream();
            byte[] garbage = framing == MessageFraming.NewlineDelimited ? "\u0001\u0002 not json\n"u8.ToArray() : "Content-Length: 5\r\n\r\n{{{{{"u8.ToArray();
            await stream.WriteAsync(garbage);
            var framed = new FramedConnection(stream, framing, ownsStream: false);
            ReadOnlyMemory<byte>? reply = await framed.ReadAsync().AsTask().WaitAsync(Limit);
            Assert.Equal(-32700, (int)JsonNode.Parse(reply!.Value.Span)!["error"]!["code"]!);

            await stream.WriteAsync(framing == MessageFraming.NewlineDelimited ? new byte[70 * 1024] : "Nonsense\r\n\r\n"u8.ToArray());
            Assert.Null(await framed.ReadAsync().AsTask().WaitAsync(Limit)); // the server closed this connection
        }

        // A client that sends a request and vanishes before the reply.
        using (var raw = new TcpClient())
        {
            await raw.ConnectAsync("127.0.0.1", port);
            var framed = new FramedConnection(raw.GetStream(), framing, ownsStream: false);
            await framed.WriteAsync("""{"jsonrpc":"2.0","method":"sleep","params":[200],"id":1}"""u8.ToArray());
        }

        // An oversized frame announced by Content-Length.
        if (framing == MessageFraming.ContentLength)
        {
            using var raw = new TcpClient();
            await raw.ConnectAsync("127.0.0.1", port);
            await raw.GetStream().WriteAsync("Content-Length: 99999999\r\n\r\n"u8.ToArray());
            var framed = new FramedConnection(raw.GetStream(), framing, ownsStream: false);
            Assert.Null(await framed.ReadAsync().AsTask().WaitAsync(Limit));
        }

        // The server still serves.
        await using (var client = new RpcClient(new JsonRpcProtocol(), await StreamClientTransport.ConnectTcpAsync("127.0.0.1", port, framing)))
        {
            Assert.Equal("cba", await client.CallAsync<string>("reverse_string", "abc"));
        }

        await stop.CancelAsync();
        await serving.WaitAsync(Limit);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Requests_in_flight_never_exceed_the_bound(int bound)
    {
        int running = 0, most = 0;
        var order = new ConcurrentQueue<int>();
        // The first requests wait until `bound` of them run at once: a server that handled fewer at a time would
        // never get there, and the test would fail on the wait's time limit.
        var full = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var dispatcher = new RpcDispatcher();
        dispatcher.AddMethod("work", async (request, ct) =>
        {
            int now = Interlocked.Increment(ref running);
            InterlockedMax(ref most, now);
            if (now >= bound)
            {
                full.TrySetResult();
            }

            int n = SomeWebsite.Arg<int>(request, 0, "n");
            order.Enqueue(n);
            await full.Task.WaitAsync(TimeSpan.FromSeconds(20), ct);
            await Task.Delay(5, ct);
            Interlocked.Decrement(ref running);
            return request.Respond(n);
        }, [new RpcParameter("n", typeof(int))]);
        (InMemoryClientTransport clientTransport, InMemoryServerTransport serverTransport) = InMemoryTransport.CreatePair();
        var server = new RpcServer(serverTransport, new JsonRpcProtocol(), dispatcher, new RpcServerOptions { MaxConcurrency = bound });
        using var stop = new CancellationTokenSource(Limit);
        Task serving = server.ServeForeverAsync(stop.Token);
        await using var client = new RpcClient(new JsonRpcProtocol(), clientTransport);

        int[] results = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => client.CallAsync<int>("work", i))).WaitAsync(Limit);

        Assert.Equal(Enumerable.Range(0, 40), results);
        Assert.Equal(bound, most);
        if (bound == 1)
        {
            // Sequential handling keeps the order in which the requests arrived.
            Assert.Equal(Enumerable.Range(0, 40), order);
        }

        clientTransport.Dispose();
        await serving.WaitAsync(Limit);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen = Volatile.Read(ref target);
        while (value > seen)
        {
            int previous = Interlocked.CompareExchange(ref target, value, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }

    [Fact]
    public async Task Tcp_client_that_stops_sending_still_gets_every_reply()
    {
        await using TcpServerTransport transport = TcpServerTransport.Loopback(0, MessageFraming.NewlineDelimited);
        var server = new RpcServer(transport, new JsonRpcProtocol(), CreateDispatcher());
        using var stop = new CancellationTokenSource(Limit);
        Task serving = server.ServeForeverAsync(stop.Token);

        using var raw = new TcpClient();
        await raw.ConnectAsync("127.0.0.1", transport.LocalEndPoint.Port);
        var framed = new FramedConnection(raw.GetStream(), MessageFraming.NewlineDelimited, ownsStream: false);
        for (int i = 0; i < 20; i++)
        {
            string request = i % 2 == 0
                ? $$"""{"jsonrpc":"2.0","method":"sleep","params":[{{i * 10}}],"id":{{i}}}"""
                : $$"""{"jsonrpc":"2.0","method":"subtract","params":[{{i}},1],"id":{{i}}}""";
            await framed.WriteAsync(Encoding.UTF8.GetBytes(request));
        }

        await framed.WriteAsync("""{"jsonrpc":"2.0","method":"subtract","params":[1,1]}"""u8.ToArray());
        raw.Client.Shutdown(SocketShutdown.Send);

        var ids = new List<int>();
        for (int n = 0; n < 100; n++)
        {
            ReadOnlyMemory<byte>? reply = await framed.ReadAsync().AsTask().WaitAsync(Limit);
            if (reply is null)
            {
                break; // the server closes once every reply is sent
            }

            ids.Add((int)JsonNode.Parse(reply.Value.Span)!["id"]!);
        }

        Assert.Equal(Enumerable.Range(0, 20), ids.Order());
        await stop.CancelAsync();
        await serving.WaitAsync(Limit);
    }

    [Fact]
    public async Task Tcp_server_survives_a_client_that_vanishes_in_the_middle_of_a_frame()
    {
        await using TcpServerTransport transport = TcpServerTransport.Loopback(0, MessageFraming.ContentLength);
        var server = new RpcServer(transport, new JsonRpcProtocol(), CreateDispatcher());
        using var stop = new CancellationTokenSource(Limit);
        Task serving = server.ServeForeverAsync(stop.Token);
        int port = transport.LocalEndPoint.Port;

        for (int i = 0; i < 5; i++)
        {
            using var raw = new TcpClient();
            await raw.ConnectAsync("127.0.0.1", port);
            await raw.GetStream().WriteAsync("Content-Length: 60\r\n\r\n{\"jsonrpc\":\"2.0\",\"me"u8.ToArray());
            raw.Client.LingerState = new LingerOption(true, 0); // a reset, not a clean close
        }

        await using var client = new RpcClient(new JsonRpcProtocol(), await StreamClientTransport.ConnectTcpAsync("127.0.0.1", port));
        Assert.Equal(4, await client.CallAsync<int>("subtract", 5, 1));
        for (int n = 0; n < 100 && transport.ConnectionCount > 1; n++)
        {
            await Task.Delay(50);
        }

        Assert.Equal(1, transport.ConnectionCount);
        await stop.CancelAsync();
        await serving.WaitAsync(Limit);
    }

    [Fact]
    public async Task Client_fails_clearly_when_the_server_drops_the_connection()
    {
        var transport = TcpServerTransport.Loopback();
        var server = new RpcServer(transport, new JsonRpcProtocol(), CreateDispatcher());
        using var stop = new CancellationTokenSource(Limit);
        _ = server.ServeForeverAsync(stop.Token);
        await using var client = new RpcClient(new JsonRpcProtocol(), await StreamClientTransport.ConnectTcpAsync("127.0.0.1", transport.LocalEndPoint.Port));
        Task<bool> pending = client.CallAsync<bool>("sleep", 10_000);
        await Task.Delay(200);
        await transport.DisposeAsync();
        await Assert.ThrowsAsync<RpcTransportException>(() => pending.WaitAsync(Limit));
    }

    [Theory]
    [InlineData(MessageFraming.ContentLength)]
    [InlineData(MessageFraming.NewlineDelimited)]
    public async Task Concurrent_writers_each_get_their_message_through_whole(MessageFraming framing)
    {
        var pipe = new Pipe();
        await using var writer = new FramedConnection(Stream.Null, pipe.Writer.AsStream(), framing);
        await using var reader = new FramedConnection(pipe.Reader.AsStream(), Stream.Null, framing);
        string[] sent = Enumerable.Range(0, 300).Select(i => $"{{\"n\":{i},\"pad\":\"{new string('x', i % 50)}\"}}").ToArray();

        // Writers that arrive while another writes are batched into its next write; each frame must stay whole.
        Task writing = Task.WhenAll(sent.Select(m => Task.Run(async () => await writer.WriteAsync(Encoding.UTF8.GetBytes(m)))));
        var received = new List<string>();
        for (int i = 0; i < sent.Length; i++)
        {
            ReadOnlyMemory<byte>? message = await reader.ReadAsync().AsTask().WaitAsync(Limit);
            received.Add(Encoding.UTF8.GetString(Assert.NotNull(message).Span));
        }

        await writing.WaitAsync(Limit);
        Assert.Equal(sent.Order(StringComparer.Ordinal), received.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Named_pipes_round_trip()
    {
        string name = "tinyrpc-test-" + Guid.NewGuid().ToString("N");
        await using var transport = new NamedPipeServerTransport(name);
        var server = new RpcServer(transport, new JsonRpcProtocol(), CreateDispatcher());
        using var stop = new CancellationTokenSource(Limit);
        _ = server.ServeForeverAsync(stop.Token);
        await using var client = new RpcClient(new JsonRpcProtocol(), await StreamClientTransport.ConnectNamedPipeAsync(name));
        Assert.Equal("a:z", await client.CallAsync<string>("sitea.get_user_info", "z"));
        await stop.CancelAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Named_pipe_current_user_only_closes_clients_of_other_users(bool currentUserOnly)
    {
        // On Linux the pipe is a Unix domain socket file; the test opens its file to everyone, so that only the option
        // stands between it and a client of another user (nobody, run by setpriv, which needs root).
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root" || !File.Exists("/usr/bin/setpriv") || !File.Exists("/usr/bin/python3"))
        {
            Assert.Skip("Needs Linux, root, setpriv and /usr/bin/python3 to connect as another user.");
            return;
        }

        string name = "tinyrpc-test-" + Guid.NewGuid().ToString("N");
        await using var transport = new NamedPipeServerTransport(name, MessageFraming.NewlineDelimited) { CurrentUserOnly = currentUserOnly };
        Assert.Equal(currentUserOnly, transport.CurrentUserOnly);
        var server = new RpcServer(transport, new JsonRpcProtocol(), CreateDispatcher());
        using var stop = new CancellationTokenSource(Limit);
        Task serving = server.ServeForeverAsync(stop.Token);
        await using (var client = new RpcClient(new JsonRpcProtocol(), await StreamClientTransport.ConnectNamedPipeAsync(name, MessageFraming.NewlineDelimited)))
        {
            Assert.Equal("a:z", await client.CallAsync<string>("sitea.get_user_info", "z").WaitAsync(Limit));
        }

        string path = Path.Combine(Path.GetTempPath(), "CoreFxPipe_" + name);
        File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite);
        const string Script = """
            import socket, sys
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(30)
            s.connect(sys.argv[1])
            data = b""
            try:
                s.sendall(b'{"jsonrpc":"2.0","method":"subtract","params":[5,3],"id":1}\n')
                while not data.endswith(b"\n"):
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    data += chunk
            except (BrokenPipeError, ConnectionResetError):
                pass
            print(data.decode() if data else "closed")
            """;
        var start = new ProcessStartInfo("/usr/bin/setpriv") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in new[] { "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c", Script, path })
        {
            start.ArgumentList.Add(argument);
        }

        using Process other = Process.Start(start)!;
        Task<string> error = other.StandardError.ReadToEndAsync();
        string output = (await other.StandardOutput.ReadToEndAsync().WaitAsync(Limit)).Trim();
        await other.WaitForExitAsync().WaitAsync(Limit);
        Assert.True(other.ExitCode == 0, await error);
        Assert.Equal(currentUserOnly ? "closed" : """{"jsonrpc":"2.0","id":1,"result":2}""", output);

        // The server goes on serving its own user.
        await using (var client = new RpcClient(new JsonRpcProtocol(), await StreamClientTransport.ConnectNamedPipeAsync(name, MessageFraming.NewlineDelimited)))
        {
            Assert.Equal("a:y", await client.CallAsync<string>("sitea.get_user_info", "y").WaitAsync(Limit));
        }

        await stop.CancelAsync();
        await serving.WaitAsync(Limit);
    }

    [Fact]
    public async Task Callback_transport_as_in_tinyrpc()
    {
        var requests = new Queue<byte[]>([
            """{"jsonrpc":"2.0","method":"subtract","params":[5,3],"id":1}"""u8.ToArray(),
            """{"jsonrpc":"2.0","method":"subtract","params":[5,3]}"""u8.ToArray(),
            "not json"u8.ToArray(),
        ]);
        var replies = new List<string>();
        var transport = new CallbackServerTransport(() => requests.Count > 0 ? requests.Dequeue() : null, reply => replies.Add(Encoding.UTF8.GetString(reply)));
        var server = new RpcServer(transport, new JsonRpcProtocol(), CreateDispatcher(), new RpcServerOptions { MaxConcurrency = 1 });
        await server.ServeForeverAsync().WaitAsync(Limit);
        Assert.Equal(2, replies.Count);
        Assert.Equal(2, (int)JsonNode.Parse(replies[0])!["result"]!);
        Assert.Equal(-32700, (int)JsonNode.Parse(replies[1])!["error"]!["code"]!);
    }
}
