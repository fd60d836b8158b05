using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Server;
using TinyRpc.Transports;

namespace TinyRpc.Tests.Transports;

/// <summary>How the client reports errors: those the server sent, and failures on its own side.</summary>
public sealed class ClientErrorTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A client of a real in-memory server. With <paramref name="duplex"/> false the client sees only the
    /// one-exchange-at-a-time side of the same transport, as over HTTP or ZeroMQ REQ.
    /// </summary>
    private static (RpcClient Client, InMemoryClientTransport Transport, Task Serving) Connect(bool duplex, RpcProtocol? protocol = null, RpcDispatcher? dispatcher = null)
    {
        (InMemoryClientTransport clientTransport, InMemoryServerTransport serverTransport) = InMemoryTransport.CreatePair();
        Task serving = new RpcServer(serverTransport, new JsonRpcProtocol(), dispatcher ?? ClientServerTests.CreateDispatcher()).ServeForeverAsync();
        RpcClient client = duplex
            ? new RpcClient(protocol ?? new JsonRpcProtocol(), clientTransport)
            : new RpcClient(protocol ?? new JsonRpcProtocol(), new OneExchangeAtATime(new ChannelClientTransport(clientTransport)));
        client.Timeout = Limit;
        return (client, clientTransport, serving);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Every_call_path_throws_the_error_the_server_sent(bool duplex)
    {
        (RpcClient client, InMemoryClientTransport transport, Task serving) = Connect(duplex);
        await using (client)
        {
            static void IsMethodNotFound(RpcException e) => Assert.Equal((RpcErrorCodes.MethodNotFound, "Method not found"), (e.Code, e.Message));

            IsMethodNotFound(await Assert.ThrowsAsync<JsonRpcException>(() => client.CallAsync<int>("nope")));
            IsMethodNotFound(await Assert.ThrowsAsync<JsonRpcException>(() => client.CallAsync("nope")));
            IsMethodNotFound(await Assert.ThrowsAsync<JsonRpcException>(() => client.CallAsync("nope", [1], null, CancellationToken.None)));
            IsMethodNotFound(await Assert.ThrowsAsync<JsonRpcException>(() => Task.Run(() => client.Call<int>("nope"))));
            IsMethodNotFound(await Assert.ThrowsAsync<JsonRpcException>(() => client.SendAsync(client.Protocol.CreateRequest("nope"))));
            IsMethodNotFound(await Assert.ThrowsAsync<JsonRpcException>(() => client.SendAsync<int>(client.Protocol.CreateRequest("nope"))));

            RpcProxy proxy = client.GetProxy("no.");
            IsMethodNotFound(await Assert.ThrowsAsync<JsonRpcException>(() => proxy.CallAsync<int>("pe")));
            IsMethodNotFound(await Assert.ThrowsAsync<JsonRpcException>(() => proxy.CallNamedAsync<int>("pe", new Dictionary<string, object?> { ["a"] = 1 })));
            IsMethodNotFound(await Assert.ThrowsAsync<JsonRpcException>(() => proxy["pe."].CallAsync<int>("x")));
            IsMethodNotFound(await Assert.ThrowsAsync<JsonRpcException>(() => Task.Run(() => proxy.Call<int>("pe"))));

            // Errors that the method raises keep their code and message.
            JsonRpcException invalid = await Assert.ThrowsAsync<JsonRpcException>(() => client.CallAsync("subtract", ["x"]));
            Assert.Equal(RpcErrorCodes.InvalidParams, invalid.Code);

            // Batches and call_all return each call's error among the results, as documented: one failed call does not hide the others.
            RpcResponse[] batch = await client.BatchCallAsync([new RpcCall("subtract", [5, 1]), new RpcCall("nope")]);
            Assert.Equal(4, batch[0].GetResult<int>());
            Assert.Equal(RpcErrorCodes.MethodNotFound, Assert.IsAssignableFrom<RpcErrorResponse>(batch[1]).Code);
            RpcResponse[] all = await client.CallAllAsync([new RpcCall("nope"), new RpcCall("subtract", [5, 2])]);
            Assert.Equal(RpcErrorCodes.MethodNotFound, Assert.IsAssignableFrom<RpcErrorResponse>(all[0]).Code);
            Assert.Equal(3, all[1].GetResult<int>());
        }

        transport.Dispose();
        await serving.WaitAsync(Limit);
    }

    [Fact]
    public async Task A_call_without_a_result_throws_even_when_errors_are_returned()
    {
        var protocol = new JsonRpcProtocol { RaisesErrors = false };
        (RpcClient client, InMemoryClientTransport transport, Task serving) = Connect(duplex: true, protocol);
        await using (client)
        {
            // SendAsync hands the error back; a call that returns nothing has nowhere to put it, so it throws.
            Assert.IsAssignableFrom<RpcErrorResponse>(await client.SendAsync(protocol.CreateRequest("nope")));
            Assert.Equal(RpcErrorCodes.MethodNotFound, (await Assert.ThrowsAsync<JsonRpcException>(() => client.CallAsync("nope"))).Code);
            await client.CallAsync("subtract", [1, 2]);
        }

        transport.Dispose();
        await serving.WaitAsync(Limit);
    }

    [Fact]
    public async Task Call_all_sends_each_call_to_its_own_transport()
    {
        var first = new RpcDispatcher();
        first.AddMethod("whoami", static (r, _) => new(r.Respond("first")), []);
        var second = new RpcDispatcher();
        second.AddMethod("whoami", static (r, _) => new(r.Respond("second")), []);
        (RpcClient client, _, Task firstServing) = Connect(duplex: true, dispatcher: first);
        IClientTransport firstTransport = client.Transport; // the client's own channel: calls to it are matched by id
        (InMemoryClientTransport secondChannel, InMemoryServerTransport secondServer) = InMemoryTransport.CreatePair();
        await using var secondTransport = new ChannelClientTransport(secondChannel);
        Task secondServing = new RpcServer(secondServer, new JsonRpcProtocol(), second).ServeForeverAsync();
        await using (client)
        {
            RpcResponse[] responses = await client.CallAllAsync(
            [
                new RpcCall("whoami"),
                new RpcCallTo(secondTransport, "whoami"),
                new RpcCallTo(firstTransport, "whoami"),
                new RpcCallTo(secondTransport, "nope"),
            ]);

            Assert.Equal(["first", "second", "first"], responses[..3].Select(static r => r.GetResult<string>()));
            Assert.Equal(RpcErrorCodes.MethodNotFound, Assert.IsAssignableFrom<RpcErrorResponse>(responses[3]).Code);
        }

        await secondTransport.DisposeAsync();
        await Task.WhenAll(firstServing, secondServing).WaitAsync(Limit);
    }

    [Fact]
    public async Task One_way_untyped_proxy_sends_notifications()
    {
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var dispatcher = new RpcDispatcher();
        dispatcher.AddMethod("record", (r, _) =>
        {
            received.TrySetResult(r.Id.IsNone ? "notification" : "request " + r.Id);
            return new(r.Respond(42));
        }, [new RpcParameter("entry", typeof(string))]);
        (RpcClient client, InMemoryClientTransport transport, Task serving) = Connect(duplex: true, dispatcher: dispatcher);
        await using (client)
        {
            RpcProxy proxy = client.GetProxy("", oneWay: true);
            Assert.True(proxy.OneWay);
            Assert.True(proxy["sub."].OneWay);

            // A notification has no reply: the call returns the default result without waiting for one.
            Assert.Equal(0, await proxy.CallAsync<int>("record", "x"));
            Assert.Equal("notification", await received.Task.WaitAsync(Limit));
            Assert.Equal(0, client.PendingCalls);
            Assert.Equal(42, await client.GetProxy().CallAsync<int>("record", "y"));
        }

        transport.Dispose();
        await serving.WaitAsync(Limit);
    }

    [Fact]
    public async Task Named_calls_and_the_prefix_indexer_reach_the_prefixed_method()
    {
        (RpcClient client, InMemoryClientTransport transport, Task serving) = Connect(duplex: true);
        await using (client)
        {
            RpcProxy root = client.GetProxy();
            RpcProxy site = root["sitea."];
            Assert.Equal("sitea.", site.Prefix);
            Assert.Equal("a:ann", await site.CallNamedAsync<string>("get_user_info", new Dictionary<string, object?> { ["user"] = "ann" }));
            Assert.Equal("a:comment7", await client.GetProxy("site")["a."].CallNamedAsync<string>("get_user_comment", new Dictionary<string, object?> { ["comment_id"] = 7 }));
            Assert.Equal(2, await root.CallNamedAsync<int>("subtract", new Dictionary<string, object?> { ["subtrahend"] = 3, ["minuend"] = 5 }));
        }

        transport.Dispose();
        await serving.WaitAsync(Limit);
    }

    [Fact]
    public async Task Blocking_call_against_a_blocking_server()
    {
        (InMemoryClientTransport clientTransport, InMemoryServerTransport serverTransport) = InMemoryTransport.CreatePair();
        var server = new RpcServer(serverTransport, new JsonRpcProtocol(), ClientServerTests.CreateDispatcher());
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                server.ServeForever();
                stopped.SetResult();
            }
            catch (Exception e)
            {
                stopped.SetException(e);
            }
        }) { IsBackground = true };
        thread.Start();

        using var client = new RpcClient(new JsonRpcProtocol(), clientTransport) { Timeout = Limit };
        int result = await Task.Run(() => client.Call<int>("subtract", [10, 4]));
        Assert.Equal(6, result);
        Assert.Equal("olleh", await Task.Run(() => client.GetProxy().Call<string>("reverse_string", "hello")));
        Assert.False(stopped.Task.IsCompleted);

        // The transport ending is what ends ServeForever.
        clientTransport.Dispose();
        await stopped.Task.WaitAsync(Limit);
    }

    [Fact]
    public async Task Trace_to_logger_logs_every_message_in_and_out()
    {
        var logger = new ListLogger();
        (InMemoryClientTransport clientTransport, InMemoryServerTransport serverTransport) = InMemoryTransport.CreatePair();
        var server = new RpcServer(serverTransport, new JsonRpcProtocol(), ClientServerTests.CreateDispatcher(), new RpcServerOptions { MaxConcurrency = 1 })
        {
            Trace = RpcTraces.ToLogger(logger, LogLevel.Information, maxLength: 40),
        };
        Task serving = server.ServeForeverAsync();
        await using (var client = new RpcClient(new JsonRpcProtocol(), clientTransport) { Timeout = Limit })
        {
            Assert.Equal(2, await client.CallAsync<int>("subtract", 3, 1));
            Assert.Equal(new string('x', 60), await client.CallAsync<string>("reverse_string", new string('x', 60)));
        }

        clientTransport.Dispose();
        await serving.WaitAsync(Limit);

        string[] lines = logger.Lines.ToArray();
        Assert.Equal(4, lines.Length);
        Assert.All(lines, static line => Assert.StartsWith("Information ", line, StringComparison.Ordinal));
        Assert.StartsWith("Information --> [", lines[0], StringComparison.Ordinal);
        Assert.Contains("\"method\":\"subtract\"", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("Information <-- [", lines[1], StringComparison.Ordinal);
        Assert.Contains("\"result\":2", lines[1], StringComparison.Ordinal);
        Assert.EndsWith("…", lines[2], StringComparison.Ordinal); // longer than maxLength: shortened

        // Below the level nothing is written.
        var quiet = new ListLogger { MinLevel = LogLevel.Warning };
        RpcTraces.ToLogger(quiet)(RpcServer.Incoming, null, "{}"u8.ToArray());
        Assert.Empty(quiet.Lines);
        RpcTraces.ToLogger(logger, LogLevel.Warning)(RpcServer.Outgoing, "ctx", ReadOnlyMemory<byte>.Empty);
        Assert.Equal("Warning <-- [ctx] (no reply)", logger.Lines.Last());
    }

    [Theory]
    [InlineData("wrong id")]
    [InlineData("success with null id")]
    public async Task Http_reply_with_another_id_fails_the_call(string misbehaviour)
    {
        await using var peer = await MisbehavingHttpPeer.StartAsync(misbehaviour);
        using var transport = new HttpPostClientTransport(peer.Endpoint);
        await using var client = new RpcClient(new JsonRpcProtocol(), transport) { Timeout = Limit };

        UnexpectedIdException e = await Assert.ThrowsAsync<UnexpectedIdException>(() => client.CallAsync<int>("subtract", 3, 1));
        Assert.Equal(RpcErrorCodes.BadReply, e.Code);
        Assert.NotEqual(e.RequestId, e.ReplyId);
        Assert.Contains("does not match the request's id", e.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<UnexpectedIdException>(() => client.CallAsync("subtract", [3, 1]));
        Assert.IsAssignableFrom<InvalidReplyException>(e);

        // call_all checks each reply against its own request too.
        await Assert.ThrowsAsync<UnexpectedIdException>(() => client.CallAllAsync([new RpcCall("subtract", [3, 1])]));
    }

    [Fact]
    public async Task Http_error_with_null_id_is_the_servers_error_for_the_call()
    {
        await using var peer = await MisbehavingHttpPeer.StartAsync("error with null id");
        using var transport = new HttpPostClientTransport(peer.Endpoint);
        await using var client = new RpcClient(new JsonRpcProtocol(), transport) { Timeout = Limit };

        JsonRpcException e = await Assert.ThrowsAsync<JsonRpcException>(() => client.CallAsync<int>("subtract", 3, 1));
        Assert.Equal((RpcErrorCodes.ParseError, "Parse error"), (e.Code, e.Message));
    }

    [Fact]
    public async Task Batch_reply_with_an_id_of_no_request_fails_the_batch()
    {
        await using var peer = await MisbehavingHttpPeer.StartAsync("wrong id");
        using var transport = new HttpPostClientTransport(peer.Endpoint);
        await using var client = new RpcClient(new JsonRpcProtocol(), transport) { Timeout = Limit };

        UnexpectedIdException e = await Assert.ThrowsAsync<UnexpectedIdException>(() => client.BatchCallAsync([new RpcCall("subtract", [3, 1])]));
        Assert.Contains("matches none of the requests", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Error_with_null_id_on_a_shared_connection_fails_every_waiting_call()
    {
        await using var peer = await LinePeer.StartAsync();
        await using var client = new RpcClient(new JsonRpcProtocol(), await StreamClientTransport.ConnectTcpAsync("127.0.0.1", peer.Port, MessageFraming.NewlineDelimited))
        {
            Timeout = Timeout.InfiniteTimeSpan, // only the reply may end these calls
        };

        Task<int> first = client.CallAsync<int>("subtract", 3, 1);
        Task<int> second = client.CallAsync<int>("subtract", 5, 1);
        await peer.ReadRequestAsync();
        await peer.ReadRequestAsync();
        await peer.WriteAsync("""{"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}, "id": null}""");

        foreach (Task<int> call in new[] { first, second })
        {
            JsonRpcException e = await Assert.ThrowsAsync<JsonRpcException>(() => call.WaitAsync(Limit));
            Assert.Equal(RpcErrorCodes.ParseError, e.Code);
        }

        Assert.Equal(0, client.PendingCalls);

        // The connection stays usable: a later call gets its own reply.
        Task<int> third = client.CallAsync<int>("subtract", 7, 1);
        JsonNode request = await peer.ReadRequestAsync();
        await peer.WriteAsync($$"""{"jsonrpc": "2.0", "result": 6, "id": {{request["id"]!.ToJsonString()}}}""");
        Assert.Equal(6, await third.WaitAsync(Limit));
    }

    [Fact]
    public async Task Error_with_null_id_in_a_batch_reply_answers_the_calls_left_without_a_reply()
    {
        await using var peer = await LinePeer.StartAsync();
        await using var client = new RpcClient(new JsonRpcProtocol(), await StreamClientTransport.ConnectTcpAsync("127.0.0.1", peer.Port, MessageFraming.NewlineDelimited))
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };

        Task<int> alone = client.CallAsync<int>("subtract", 9, 1);
        JsonNode aloneRequest = await peer.ReadRequestAsync();

        // The server answers the first call and says it could not read the second, as it does for an invalid member.
        Task<RpcResponse[]> batch = client.BatchCallAsync([new RpcCall("subtract", [3, 1]), new RpcCall("subtract", [5, 1])]);
        var requests = (JsonArray)await peer.ReadRequestAsync();
        await peer.WriteAsync($$"""[{"jsonrpc": "2.0", "result": 2, "id": {{requests[0]!["id"]!.ToJsonString()}}}, {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}]""");

        RpcResponse[] responses = await batch.WaitAsync(Limit);
        Assert.Equal(2, responses[0].GetResult<int>());
        Assert.Equal(RpcErrorCodes.InvalidRequest, Assert.IsAssignableFrom<RpcErrorResponse>(responses[1]).Code);

        // The error was inside that batch's reply: the call outside the batch still waits for its own reply.
        Assert.False(alone.IsCompleted);
        Assert.Equal(1, client.PendingCalls);
        await peer.WriteAsync($$"""{"jsonrpc": "2.0", "result": 8, "id": {{aloneRequest["id"]!.ToJsonString()}}}""");
        Assert.Equal(8, await alone.WaitAsync(Limit));
    }

    [Fact]
    public async Task Unreadable_reply_on_a_shared_connection_fails_the_waiting_call()
    {
        await using var peer = await LinePeer.StartAsync();
        await using var client = new RpcClient(new JsonRpcProtocol(), await StreamClientTransport.ConnectTcpAsync("127.0.0.1", peer.Port, MessageFraming.NewlineDelimited))
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };

        Task<int> call = client.CallAsync<int>("subtract", 3, 1);
        await peer.ReadRequestAsync();
        await peer.WriteAsync("this is not JSON");

        BadReplyException e = await Assert.ThrowsAnyAsync<BadReplyException>(() => call.WaitAsync(Limit));
        Assert.Equal(RpcErrorCodes.BadReply, e.Code);
        Assert.Equal(0, client.PendingCalls);
    }

    [Fact]
    public async Task Transport_and_reply_failures_do_not_wear_server_codes()
    {
        // A port nobody listens on: bound, then released.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using (var transport = new HttpPostClientTransport(new Uri($"http://127.0.0.1:{port}/")))
        {
            await using var client = new RpcClient(new JsonRpcProtocol(), transport) { Timeout = Limit };
            RpcTransportException lost = await Assert.ThrowsAsync<RpcTransportException>(() => client.CallAsync<int>("subtract", 3, 1));
            Assert.Equal(RpcErrorCodes.TransportError, lost.Code);
            Assert.False(RpcErrorCodes.IsReserved(lost.Code));
        }

        await using var peer = await MisbehavingHttpPeer.StartAsync("garbage");
        using (var transport = new HttpPostClientTransport(peer.Endpoint))
        {
            await using var client = new RpcClient(new JsonRpcProtocol(), transport) { Timeout = Limit };
            BadReplyException unreadable = await Assert.ThrowsAnyAsync<BadReplyException>(() => client.CallAsync<int>("subtract", 3, 1));
            Assert.Equal(RpcErrorCodes.BadReply, unreadable.Code);
            Assert.False(RpcErrorCodes.IsReserved(unreadable.Code));
        }

        Assert.NotEqual(RpcErrorCodes.TransportError, RpcErrorCodes.BadReply);
        Assert.Equal(RpcErrorCodes.TransportError, new RpcFramingException("x").Code);
    }

    /// <summary>Shows only the one-exchange side of a transport (a real one), as HTTP and ZeroMQ REQ have.</summary>
    private sealed class OneExchangeAtATime(IClientTransport inner) : IClientTransport
    {
        public ValueTask<ReadOnlyMemory<byte>> SendMessageAsync(ReadOnlyMemory<byte> message, bool expectReply = true, CancellationToken cancellationToken = default)
            => inner.SendMessageAsync(message, expectReply, cancellationToken);
    }

    /// <summary>An HTTP server on loopback that answers JSON-RPC requests wrongly in one chosen way.</summary>
    private sealed class MisbehavingHttpPeer : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private MisbehavingHttpPeer(WebApplication app, Uri endpoint)
        {
            _app = app;
            Endpoint = endpoint;
        }

        public Uri Endpoint { get; }

        public static async Task<MisbehavingHttpPeer> StartAsync(string misbehaviour)
        {
            WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            WebApplication app = builder.Build();
            app.Run(async context =>
            {
                JsonNode request = (await JsonNode.ParseAsync(context.Request.Body))!;
                string id = request is JsonArray batch ? batch[0]!["id"]!.ToJsonString() : request["id"]!.ToJsonString();
                string reply = misbehaviour switch
                {
                    "wrong id" => $$"""{"jsonrpc": "2.0", "result": 2, "id": "not-{{id.Trim('"')}}"}""",
                    "success with null id" => """{"jsonrpc": "2.0", "result": 2, "id": null}""",
                    "error with null id" => """{"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}, "id": null}""",
                    _ => "garbage",
                };
                if (request is JsonArray)
                {
                    reply = "[" + reply + "]";
                }

                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(reply);
            });
            await app.StartAsync();
            return new MisbehavingHttpPeer(app, new Uri(app.Urls.First() + "/"));
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    /// <summary>A raw TCP peer on loopback that reads and writes newline-delimited messages as the test says.</summary>
    private sealed class LinePeer : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly Task<TcpClient> _accepted;
        private StreamReader? _reader;
        private Stream? _stream;

        private LinePeer(TcpListener listener)
        {
            _listener = listener;
            _accepted = listener.AcceptTcpClientAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public static Task<LinePeer> StartAsync()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return Task.FromResult(new LinePeer(listener));
        }

        public async Task<JsonNode> ReadRequestAsync()
        {
            if (_reader is null)
            {
                _stream = (await _accepted.WaitAsync(Limit)).GetStream();
                _reader = new StreamReader(_stream, Encoding.UTF8);
            }

            string line = await _reader.ReadLineAsync().WaitAsync(Limit) ?? throw new EndOfStreamException();
            return JsonNode.Parse(line)!;
        }

        public async Task WriteAsync(string line)
        {
            await _stream!.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"));
            await _stream.FlushAsync();
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            if (_accepted.IsCompletedSuccessfully)
            {
                (await _accepted).Dispose();
            }
        }
    }

    private sealed class ListLogger : ILogger
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Lines { get; } = new();

        public LogLevel MinLevel { get; init; } = LogLevel.Trace;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= MinLevel;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                Lines.Enqueue(logLevel + " " + formatter(state, exception));
            }
        }
    }
}
