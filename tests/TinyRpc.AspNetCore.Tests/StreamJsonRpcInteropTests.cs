using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Nerdbank.Streams;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;
using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Server;
using TinyRpc.Transports;

namespace TinyRpc.AspNetCore.Tests;

/// <summary>The TinyRpc end's service, which StreamJsonRpc calls.</summary>
[RpcService(NamingPolicy = RpcNamingPolicy.CamelCase, TrimAsyncSuffix = true)]
public partial class TinyRpcPeer
{
    private readonly Channel<string> _heard = Channel.CreateUnbounded<string>();

    /// <summary>Order matters, so that a by-name call given out of order shows that names are honoured.</summary>
    [Public]
    public int Subtract(int minuend, int subtrahend) => minuend - subtrahend;

    /// <summary>Asks the caller <paramref name="question"/> back, through the connection the call came over.</summary>
    [Public]
    public Task<string> AskPeerAsync(string question, RpcConnection connection)
        => connection.GetProxy<IStreamJsonRpcPeer>().AnswerAsync($"{question} (asked by tinyrpc)");

    [Public]
    public void Heard(string text) => _heard.Writer.TryWrite(text);

    [Public]
    public void Fail(int code) => throw new RpcException(code, $"tinyrpc failed with {code}", "tinyrpc data");

    /// <summary>Waits until its call is cancelled.</summary>
    [Public]
    public Task<string> WaitAsync(CancellationToken cancellationToken) => Waiting.WaitAsync(cancellationToken);

    public WaitUntilCancelled Waiting { get; } = new();

    public async Task<string> NextHeardAsync()
    {
        using var timeout = new CancellationTokenSource(KestrelHost.Limit);
        return await _heard.Reader.ReadAsync(timeout.Token);
    }

    public RpcDispatcher Dispatcher()
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterInstance(this);
        return dispatcher;
    }
}

/// <summary>A method body that waits until its call is cancelled, and tells when it started and whether it saw the cancel.</summary>
public sealed class WaitUntilCancelled
{
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<bool> _cancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Started => _started.Task;

    public Task<bool> Cancelled => _cancelled.Task;

    public async Task<string> WaitAsync(CancellationToken cancellationToken)
    {
        _started.TrySetResult();
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            _cancelled.TrySetResult(true);
            throw;
        }

        return "never";
    }
}

/// <summary>What TinyRpc calls on the StreamJsonRpc end, through a generated proxy.</summary>
[RpcService(NamingPolicy = RpcNamingPolicy.CamelCase, TrimAsyncSuffix = true)]
public interface IStreamJsonRpcPeer
{
    [Public]
    Task<string> AnswerAsync(string question);

    [Public]
    Task<int> DivideAsync(int dividend, int divisor);

    /// <summary>The StreamJsonRpc end calls TinyRpc's <c>subtract</c> back before it answers.</summary>
    [Public]
    Task<string> AskTinyAsync(int minuend, int subtrahend);

    [Public]
    [OneWay]
    Task HeardAsync(string text);
}

/// <summary>The StreamJsonRpc end's target object; its methods are named on the wire by <see cref="JsonRpcMethodAttribute"/>.</summary>
public sealed class StreamJsonRpcPeer(string name)
{
    private readonly Channel<string> _heard = Channel.CreateUnbounded<string>();

    /// <summary>The StreamJsonRpc end's own <see cref="JsonRpc"/>, to call TinyRpc back.</summary>
    internal JsonRpc? Rpc { get; set; }

    [JsonRpcMethod("answer")]
    public string Answer(string question) => $"{name} answers {question}";

    [JsonRpcMethod("divide")]
    public int Divide(int dividend, int divisor) => dividend / divisor;

    [JsonRpcMethod("askTiny")]
    public async Task<string> AskTinyAsync(int minuend, int subtrahend)
        => $"{name} heard back {await Rpc!.InvokeAsync<int>("subtract", minuend, subtrahend)}";

    [JsonRpcMethod("heard")]
    public void Heard(string text) => _heard.Writer.TryWrite(text);

    [JsonRpcMethod("wait")]
    public Task<string> WaitAsync(CancellationToken cancellationToken) => Waiting.WaitAsync(cancellationToken);

    internal WaitUntilCancelled Waiting { get; } = new();

    [JsonRpcMethod("fail")]
    public void Fail(int code) => throw new LocalRpcException($"{name} failed with {code}") { ErrorCode = code, ErrorData = "streamjsonrpc data" };

    internal async Task<string> NextHeardAsync()
    {
        using var timeout = new CancellationTokenSource(KestrelHost.Limit);
        return await _heard.Reader.ReadAsync(timeout.Token);
    }
}

/// <summary>
/// Duplex JSON-RPC with StreamJsonRpc, an independent implementation, on the other end: over a stream pair with
/// Content-Length framing (StreamJsonRpc's <see cref="HeaderDelimitedMessageHandler"/>) and over WebSockets served
/// by Kestrel, each side calls, notifies and calls back the other. Both peers are real.
/// </summary>
public sealed class StreamJsonRpcInteropTests
{
    private static readonly TimeSpan Limit = KestrelHost.Limit;

    /// <summary>Several hundred kilobytes, with two-, three- and four-byte UTF-8 characters.</summary>
    private static readonly string LongText = string.Concat(Enumerable.Repeat("héllo ✓ 日本 🙂 ", 20_000));

    /// <summary>StreamJsonRpc's System.Text.Json formatter, and its default (Newtonsoft.Json) one.</summary>
    public static TheoryData<string> Formatters => ["SystemTextJson", "Default"];

    private static IJsonRpcMessageFormatter Formatter(string kind)
        => kind == "SystemTextJson" ? new SystemTextJsonFormatter() : new JsonMessageFormatter();

    [Theory]
    [MemberData(nameof(Formatters))]
    public async Task TinyRpc_calls_StreamJsonRpc_by_position_and_by_name_over_a_stream_pair(string formatter)
    {
        await using var pair = StreamPair.Create(formatter);
        IStreamJsonRpcPeer peer = pair.Connection.GetProxy<IStreamJsonRpcPeer>();
        Assert.Equal("streamjsonrpc answers hi", await peer.AnswerAsync("hi").WaitAsync(Limit));
        Assert.Equal(5, await peer.DivideAsync(20, 4).WaitAsync(Limit));
        Assert.Equal(5, await pair.Connection.CallAsync<int>("divide", null, new Dictionary<string, object?> { ["divisor"] = 4, ["dividend"] = 20 }).WaitAsync(Limit));
    }

    [Theory]
    [MemberData(nameof(Formatters))]
    public async Task StreamJsonRpc_calls_a_TinyRpc_service_by_position_and_by_name_over_a_stream_pair(string formatter)
    {
        await using var pair = StreamPair.Create(formatter);
        Assert.Equal(8, await pair.Sjr.InvokeAsync<int>("subtract", 10, 2).WaitAsync(Limit));
        Assert.Equal(8, await pair.Sjr.InvokeWithParameterObjectAsync<int>("subtract", new Dictionary<string, object?> { ["subtrahend"] = 2, ["minuend"] = 10 }).WaitAsync(Limit));
    }

    [Theory]
    [MemberData(nameof(Formatters))]
    public async Task Each_side_calls_the_other_back_while_serving_its_call(string formatter)
    {
        await using var pair = StreamPair.Create(formatter);
        IStreamJsonRpcPeer peer = pair.Connection.GetProxy<IStreamJsonRpcPeer>();

        // Many at once in both directions, so that calls and call-backs interleave on the one stream.
        Task<string>[] fromTiny = [.. Enumerable.Range(0, 20).Select(i => peer.AskTinyAsync(100, i))];
        Task<string>[] fromSjr = [.. Enumerable.Range(0, 20).Select(i => pair.Sjr.InvokeAsync<string>("askPeer", $"q{i}"))];
        string[] tinyAnswers = await Task.WhenAll(fromTiny).WaitAsync(Limit);
        string[] sjrAnswers = await Task.WhenAll(fromSjr).WaitAsync(Limit);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"streamjsonrpc heard back {100 - i}"), tinyAnswers);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"streamjsonrpc answers q{i} (asked by tinyrpc)"), sjrAnswers);
    }

    [Theory]
    [MemberData(nameof(Formatters))]
    public async Task Long_text_that_is_not_ASCII_crosses_both_ways(string formatter)
    {
        // Content-Length counts bytes, not characters; and the text spans many reads of the stream.
        await using var pair = StreamPair.Create(formatter);
        Assert.Equal($"streamjsonrpc answers {LongText}", await pair.Connection.GetProxy<IStreamJsonRpcPeer>().AnswerAsync(LongText).WaitAsync(Limit));
        Assert.Equal($"streamjsonrpc answers {LongText} (asked by tinyrpc)", await pair.Sjr.InvokeAsync<string>("askPeer", LongText).WaitAsync(Limit));
    }

    [Theory]
    [MemberData(nameof(Formatters))]
    public async Task Notifications_arrive_both_ways(string formatter)
    {
        await using var pair = StreamPair.Create(formatter);
        await pair.Connection.GetProxy<IStreamJsonRpcPeer>().HeardAsync("from tinyrpc");
        await pair.Connection.NotifyAsync("heard", null, new Dictionary<string, object?> { ["text"] = "by name from tinyrpc" });
        Assert.Equal("from tinyrpc", await pair.SjrPeer.NextHeardAsync());
        Assert.Equal("by name from tinyrpc", await pair.SjrPeer.NextHeardAsync());

        await pair.Sjr.NotifyAsync("heard", "from streamjsonrpc");
        await pair.Sjr.NotifyWithParameterObjectAsync("heard", new Dictionary<string, object?> { ["text"] = "by name from streamjsonrpc" });
        Assert.Equal("from streamjsonrpc", await pair.Tiny.NextHeardAsync());
        Assert.Equal("by name from streamjsonrpc", await pair.Tiny.NextHeardAsync());
    }

    [Theory]
    [MemberData(nameof(Formatters))]
    public async Task StreamJsonRpc_cancels_a_call_to_TinyRpc_and_the_method_sees_it(string formatter)
    {
        await using var pair = StreamPair.Create(formatter);
        using var cancel = new CancellationTokenSource();

        Task<string> call = pair.Sjr.InvokeWithCancellationAsync<string>("wait", [], cancel.Token);
        await pair.Tiny.Waiting.Started.WaitAsync(Limit);
        await cancel.CancelAsync();

        // StreamJsonRpc sends $/cancelRequest and waits for the answer: TinyRpc's -32800 ends its call as cancelled.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(Limit));
        Assert.True(await pair.Tiny.Waiting.Cancelled.WaitAsync(Limit));
    }

    [Theory]
    [MemberData(nameof(Formatters))]
    public async Task TinyRpc_cancels_a_call_to_StreamJsonRpc_and_the_method_sees_it(string formatter)
    {
        await using var pair = StreamPair.Create(formatter);
        using var cancel = new CancellationTokenSource();

        Task<string> call = pair.Connection.CallAsync<string>("wait", null, null, cancel.Token);
        await pair.SjrPeer.Waiting.Started.WaitAsync(Limit);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(Limit));
        Assert.True(await pair.SjrPeer.Waiting.Cancelled.WaitAsync(Limit));
    }

    [Theory]
    [MemberData(nameof(Formatters))]
    public async Task An_error_thrown_on_StreamJsonRpc_arrives_at_TinyRpc_with_its_code_and_data(string formatter)
    {
        await using var pair = StreamPair.Create(formatter);

        RpcException thrown = await Assert.ThrowsAnyAsync<RpcException>(() => pair.Connection.CallAsync("fail", [4242]).WaitAsync(Limit));
        Assert.Equal(4242, thrown.Code);
        Assert.Equal("streamjsonrpc failed with 4242", thrown.Message);
        Assert.Equal("streamjsonrpc data", Assert.IsType<JsonElement>(thrown.ErrorData).GetString());

        // Any other exception is StreamJsonRpc's invocation error (-32000), its data an object that names the exception type.
        RpcException divided = await Assert.ThrowsAnyAsync<RpcException>(() => pair.Connection.GetProxy<IStreamJsonRpcPeer>().DivideAsync(1, 0).WaitAsync(Limit));
        Assert.Equal((int)JsonRpcErrorCode.InvocationError, divided.Code);
        Assert.Equal(typeof(DivideByZeroException).FullName, Assert.IsType<JsonElement>(divided.ErrorData).GetProperty("type").GetString());

        RpcException missing = await Assert.ThrowsAnyAsync<RpcException>(() => pair.Connection.CallAsync<string>("noSuchMethod").WaitAsync(Limit));
        Assert.Equal(RpcErrorCodes.MethodNotFound, missing.Code);
    }

    [Theory]
    [MemberData(nameof(Formatters))]
    public async Task An_error_thrown_on_TinyRpc_arrives_at_StreamJsonRpc_with_its_code_and_data(string formatter)
    {
        await using var pair = StreamPair.Create(formatter);

        RemoteInvocationException thrown = await Assert.ThrowsAsync<RemoteInvocationException>(() => pair.Sjr.InvokeAsync("fail", 4343).WaitAsync(Limit));
        Assert.Equal(4343, thrown.ErrorCode);
        Assert.Equal("tinyrpc failed with 4343", thrown.Message);
        Assert.Contains("tinyrpc data", thrown.ErrorData?.ToString(), StringComparison.Ordinal);

        RemoteMethodNotFoundException missing = await Assert.ThrowsAsync<RemoteMethodNotFoundException>(() => pair.Sjr.InvokeAsync<int>("noSuchMethod").WaitAsync(Limit));
        Assert.Equal(JsonRpcErrorCode.MethodNotFound, missing.ErrorCode);

        // StreamJsonRpc reports -32602 as a method-not-found exception too (no overload took the arguments); the code tells them apart.
        RemoteMethodNotFoundException badParams = await Assert.ThrowsAsync<RemoteMethodNotFoundException>(() => pair.Sjr.InvokeAsync<int>("subtract", "ten", 2).WaitAsync(Limit));
        Assert.Equal(JsonRpcErrorCode.InvalidParams, badParams.ErrorCode);
        Assert.Contains("minuend", badParams.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Formatters))]
    public async Task What_StreamJsonRpc_puts_on_the_wire_is_read_by_TinyRpc(string formatter)
    {
        await using var pair = StreamPair.Create(formatter);
        Assert.Equal(8, await pair.Sjr.InvokeAsync<int>("subtract", 10, 2).WaitAsync(Limit));
        Assert.Equal(8, await pair.Sjr.InvokeWithParameterObjectAsync<int>("subtract", new Dictionary<string, object?> { ["subtrahend"] = 2, ["minuend"] = 10 }).WaitAsync(Limit));
        await pair.Sjr.NotifyAsync("heard", "done");
        Assert.Equal("done", await pair.Tiny.NextHeardAsync());

        // Three frames, each with a Content-Length header: ids are numbers, positional params an array, named ones an object.
        List<JsonElement> messages = pair.ReceivedByTinyRpc();
        Assert.Equal(3, messages.Count);
        Assert.All(messages, static m => Assert.Equal("2.0", m.GetProperty("jsonrpc").GetString()));
        Assert.Equal(JsonValueKind.Number, messages[0].GetProperty("id").ValueKind);
        Assert.Equal(JsonValueKind.Array, messages[0].GetProperty("params").ValueKind);
        Assert.Equal(JsonValueKind.Number, messages[1].GetProperty("id").ValueKind);
        Assert.Equal(JsonValueKind.Object, messages[1].GetProperty("params").ValueKind);
        Assert.False(messages[2].TryGetProperty("id", out _));
        Assert.Equal("heard", messages[2].GetProperty("method").GetString());
    }

    [Fact]
    public async Task A_StreamJsonRpc_client_calls_a_TinyRpc_web_socket_server_which_calls_it_back_and_pushes_to_it()
    {
        var transport = new WebSocketServerTransport(new WebSocketServerOptions());
        await using KestrelHost host = await KestrelHost.StartAsync(app =>
        {
            app.UseWebSockets();
            app.MapTinyRpcWebSocket(transport);
        });
        var tiny = new TinyRpcPeer();
        var server = new RpcServer(transport, new JsonRpcProtocol(), tiny.Dispatcher());
        using var stop = new CancellationTokenSource();
        Task serving = server.ServeForeverAsync(stop.Token);

        using (var socket = new ClientWebSocket())
        {
            using (var timeout = new CancellationTokenSource(Limit))
            {
                await socket.ConnectAsync(host.Ws("/ws"), timeout.Token);
            }

            var sjrPeer = new StreamJsonRpcPeer("streamjsonrpc client");
            using var sjr = new JsonRpc(new WebSocketMessageHandler(socket, new SystemTextJsonFormatter()), sjrPeer);
            sjrPeer.Rpc = sjr;
            sjr.StartListening();

            Assert.Equal(8, await sjr.InvokeAsync<int>("subtract", 10, 2).WaitAsync(Limit));
            string[] answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => sjr.InvokeAsync<string>("askPeer", $"q{i}"))).WaitAsync(Limit);
            Assert.Equal(Enumerable.Range(0, 10).Select(i => $"streamjsonrpc client answers q{i} (asked by tinyrpc)"), answers);

            // The server pushes on its own, outside any request: a notification and a call.
            RpcConnection client = Assert.Single(server.Connections);
            await client.GetProxy<IStreamJsonRpcPeer>().HeardAsync("tick");
            Assert.Equal("tick", await sjrPeer.NextHeardAsync());
            Assert.Equal($"streamjsonrpc client answers {LongText} (asked by tinyrpc)", await sjr.InvokeAsync<string>("askPeer", LongText).WaitAsync(Limit));
            Assert.Equal("streamjsonrpc client answers pushed", await client.GetProxy<IStreamJsonRpcPeer>().AnswerAsync("pushed").WaitAsync(Limit));

            await sjr.NotifyAsync("heard", "from the client");
            Assert.Equal("from the client", await tiny.NextHeardAsync());
            RemoteInvocationException error = await Assert.ThrowsAsync<RemoteInvocationException>(() => sjr.InvokeAsync("fail", 4444).WaitAsync(Limit));
            Assert.Equal(4444, error.ErrorCode);
        }

        await stop.CancelAsync();
        await serving.WaitAsync(Limit);
    }

    [Fact]
    public async Task A_TinyRpc_web_socket_client_calls_a_StreamJsonRpc_server_in_Kestrel_which_calls_it_back()
    {
        var sjrPeer = new StreamJsonRpcPeer("streamjsonrpc server");
        var accepted = new TaskCompletionSource<JsonRpc>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using KestrelHost host = await KestrelHost.StartAsync(app =>
        {
            app.UseWebSockets();
            app.Map("/sjr", (RequestDelegate)(async context =>
            {
                using WebSocket socket = await context.WebSockets.AcceptWebSocketAsync();
                using var rpc = new JsonRpc(new WebSocketMessageHandler(socket, new SystemTextJsonFormatter()), sjrPeer);
                sjrPeer.Rpc = rpc;
                rpc.StartListening();
                accepted.SetResult(rpc);

                // Ends, faulted or not, when the client goes.
                await Task.WhenAny(rpc.Completion);
            }));
        });

        var tiny = new TinyRpcPeer();
        await using (var connection = new RpcConnection(new JsonRpcProtocol(), await WebSocketClientTransport.ConnectAsync(host.Ws("/sjr")), tiny.Dispatcher()))
        {
            IStreamJsonRpcPeer server = connection.GetProxy<IStreamJsonRpcPeer>();
            Assert.Equal("streamjsonrpc server answers hi", await server.AnswerAsync("hi").WaitAsync(Limit));
            Assert.Equal($"streamjsonrpc server answers {LongText}", await server.AnswerAsync(LongText).WaitAsync(Limit));
            Assert.Equal(5, await connection.CallAsync<int>("divide", null, new Dictionary<string, object?> { ["dividend"] = 20, ["divisor"] = 4 }).WaitAsync(Limit));
            Assert.Equal("streamjsonrpc server heard back 8", await server.AskTinyAsync(10, 2).WaitAsync(Limit));

            // The server calls and notifies the client on its own.
            JsonRpc rpc = await accepted.Task.WaitAsync(Limit);
            Assert.Equal(8, await rpc.InvokeWithParameterObjectAsync<int>("subtract", new Dictionary<string, object?> { ["minuend"] = 10, ["subtrahend"] = 2 }).WaitAsync(Limit));
            await rpc.NotifyAsync("heard", "pushed");
            Assert.Equal("pushed", await tiny.NextHeardAsync());
            await server.HeardAsync("from the client");
            Assert.Equal("from the client", await sjrPeer.NextHeardAsync());

            RpcException error = await Assert.ThrowsAnyAsync<RpcException>(() => connection.CallAsync("fail", [4545]).WaitAsync(Limit));
            Assert.Equal(4545, error.Code);
        }
    }

    /// <summary>StreamJsonRpc on one end of a full-duplex stream pair, a TinyRpc connection on the other.</summary>
    private sealed class StreamPair : IAsyncDisposable
    {
        private readonly RecordingStream _tinyEnd;

        private StreamPair(JsonRpc sjr, StreamJsonRpcPeer sjrPeer, TinyRpcPeer tiny, RpcConnection connection, RecordingStream tinyEnd)
        {
            Sjr = sjr;
            SjrPeer = sjrPeer;
            Tiny = tiny;
            Connection = connection;
            _tinyEnd = tinyEnd;
        }

        public JsonRpc Sjr { get; }

        public StreamJsonRpcPeer SjrPeer { get; }

        public TinyRpcPeer Tiny { get; }

        public RpcConnection Connection { get; }

        public static StreamPair Create(string formatter)
        {
            (Stream sjrEnd, Stream tinyEnd) = FullDuplexStream.CreatePair();
            var sjrPeer = new StreamJsonRpcPeer("streamjsonrpc");
            var sjr = new JsonRpc(new HeaderDelimitedMessageHandler(sjrEnd, sjrEnd, Formatter(formatter)));
            sjr.AddLocalRpcTarget(sjrPeer);
            sjrPeer.Rpc = sjr;
            sjr.StartListening();
            var tiny = new TinyRpcPeer();
            var recording = new RecordingStream(tinyEnd);
            var connection = new RpcConnection(new JsonRpcProtocol(), new StreamClientTransport(recording), tiny.Dispatcher());
            return new StreamPair(sjr, sjrPeer, tiny, connection, recording);
        }

        /// <summary>The JSON bodies of the frames TinyRpc has read, each checked to have a Content-Length header.</summary>
        public List<JsonElement> ReceivedByTinyRpc()
        {
            string text = Encoding.UTF8.GetString(_tinyEnd.Received());
            var messages = new List<JsonElement>();
            int at = 0;
            while (at < text.Length)
            {
                int end = text.IndexOf("\r\n\r\n", at, StringComparison.Ordinal);
                Assert.True(end > at, "a frame without headers");
                string[] headers = text[at..end].Split("\r\n");
                string length = Assert.Single(headers, static h => h.StartsWith("Content-Length: ", StringComparison.OrdinalIgnoreCase));
                int size = int.Parse(length["Content-Length: ".Length..], System.Globalization.CultureInfo.InvariantCulture);

                // The body is ASCII here, so characters count as bytes.
                messages.Add(JsonDocument.Parse(text.Substring(end + 4, size)).RootElement.Clone());
                at = end + 4 + size;
            }

            return messages;
        }

        public async ValueTask DisposeAsync()
        {
            await Connection.DisposeAsync();
            Sjr.Dispose();
            await Task.WhenAny(Sjr.Completion).WaitAsync(Limit);
        }
    }

    /// <summary>Passes reads and writes through, and keeps a copy of the bytes read.</summary>
    private sealed class RecordingStream(Stream inner) : Stream
    {
        private readonly MemoryStream _received = new();

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public byte[] Received()
        {
            lock (_received)
            {
                return _received.ToArray();
            }
        }

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count)
        {
            int read = inner.Read(buffer, offset, count);
            Record(buffer.AsSpan(offset, read));
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            int read = await inner.ReadAsync(buffer, cancellationToken);
            Record(buffer.Span[..read]);
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.WriteAsync(buffer, offset, count, cancellationToken);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
                _received.Dispose();
            }

            base.Dispose(disposing);
        }

        private void Record(ReadOnlySpan<byte> bytes)
        {
            lock (_received)
            {
                _received.Write(bytes);
            }
        }
    }
}
