using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using NetMQ;
using NetMQ.Sockets;

namespace TinyRpc.Benchmarks;

// The floors: what a careful program would do with the raw library alone to move the same bytes over the same kind
// of connection, with none of TinyRpc's transports or framing code in the way. Each server answers every request
// with a reply fixed in advance (the bytes TinyRpc's server writes for that call, or the request itself where no
// reply is given), so a floor does no parsing beyond its framing and no dispatch. A floor's client may have several
// requests in flight on its one connection: it sends them all, then reads as many replies, which come back in order.

/// <summary>In memory: two unbounded channels of byte arrays and a server task that answers each request.</summary>
public sealed class ChannelFloor : IContender
{
    private readonly Channel<byte[]> _requests = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly Channel<byte[]> _replies = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly byte[] _request;
    private readonly byte[] _reply;
    private readonly Task _serving;

    public ChannelFloor(byte[] request, byte[] reply)
    {
        _request = request;
        _reply = reply;
        _serving = Task.Run(ServeAsync);
    }

    private async Task ServeAsync()
    {
        ChannelReader<byte[]> requests = _requests.Reader;
        ChannelWriter<byte[]> replies = _replies.Writer;
        while (await requests.WaitToReadAsync().ConfigureAwait(false))
        {
            while (requests.TryRead(out _))
            {
                replies.TryWrite(_reply);
            }
        }

        replies.TryComplete();
    }

    public Task CallAsync() => CallManyAsync(1);

    public async Task CallManyAsync(int count)
    {
        for (int i = 0; i < count; i++)
        {
            _requests.Writer.TryWrite(_request);
        }

        for (int i = 0; i < count; i++)
        {
            _ = await _replies.Reader.ReadAsync().ConfigureAwait(false);
        }
    }

    public async Task VerifyAsync()
    {
        _requests.Writer.TryWrite(_request);
        byte[] reply = await _replies.Reader.ReadAsync().ConfigureAwait(false);
        Check.SameBytes(_reply, reply, nameof(ChannelFloor));
    }

    public async ValueTask DisposeAsync()
    {
        _requests.Writer.TryComplete();
        await _serving.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
    }
}

/// <summary>
/// TCP on 127.0.0.1: a raw socket pair (Nagle off, as TinyRpc has it) read and written through System.IO.Pipelines,
/// with the framing TinyRpc's stream transports use by default (a <c>Content-Length: N</c> header, an empty line,
/// N bytes). The server answers every complete frame of what one read brought and flushes the replies in one send;
/// the client writes all its outstanding requests and flushes them in one send.
/// </summary>
public sealed class TcpFloor : IContender
{
    private readonly Socket _client;
    private readonly Socket _server;
    private readonly PipeReader _clientInput;
    private readonly PipeWriter _clientOutput;
    private readonly byte[] _framedRequest;
    private readonly byte[] _framedReply;
    private readonly byte[] _reply;
    private readonly Task _serving;

    private TcpFloor(Socket client, Socket server, byte[] request, byte[] reply)
    {
        _client = client;
        _server = server;
        _reply = reply;
        _framedRequest = Frame(request);
        _framedReply = Frame(reply);
        var clientStream = new NetworkStream(client, ownsSocket: false);
        _clientInput = PipeReader.Create(clientStream, ReaderOptions);
        _clientOutput = PipeWriter.Create(clientStream, WriterOptions);
        _serving = Task.Run(ServeAsync);
    }

    // Reads of up to 64 KB, as a program expecting large messages would ask for (the default is 4 KB).
    private static readonly StreamPipeReaderOptions ReaderOptions = new(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024);
    private static readonly StreamPipeWriterOptions WriterOptions = new(minimumBufferSize: 64 * 1024);

    public static async Task<TcpFloor> ConnectAsync(byte[] request, byte[] reply)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Task<Socket> accept = listener.AcceptAsync();
        await client.ConnectAsync(listener.LocalEndPoint!).ConfigureAwait(false);
        Socket server = await accept.ConfigureAwait(false);
        server.NoDelay = true;
        return new TcpFloor(client, server, request, reply);
    }

    internal static byte[] Frame(byte[] message)
    {
        byte[] header = Encoding.ASCII.GetBytes($"Content-Length: {message.Length}\r\n\r\n");
        return [.. header, .. message];
    }

    private async Task ServeAsync()
    {
        var stream = new NetworkStream(_server, ownsSocket: false);
        PipeReader input = PipeReader.Create(stream, ReaderOptions);
        PipeWriter output = PipeWriter.Create(stream, WriterOptions);
        try
        {
            while (true)
            {
                ReadResult read = await input.ReadAsync().ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = read.Buffer;
                int answered = 0;
                while (TryReadFrame(ref buffer, out _))
                {
                    output.Write(_framedReply);
                    answered++;
                }

                input.AdvanceTo(buffer.Start, buffer.End);
                if (answered > 0)
                {
                    await output.FlushAsync().ConfigureAwait(false);
                }

                if (read.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (IOException)
        {
            // the client went away while a reply was going out
        }

        await input.CompleteAsync().ConfigureAwait(false);
        await output.CompleteAsync().ConfigureAwait(false);
    }

    /// <summary>Takes one whole frame off the front of <paramref name="buffer"/>, if it holds one.</summary>
    internal static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> message)
    {
        message = default;
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryReadTo(out ReadOnlySequence<byte> headers, "\r\n\r\n"u8))
        {
            return false;
        }

        Span<byte> text = stackalloc byte[64];
        if (headers.Length > text.Length)
        {
            throw new InvalidDataException("The floor's peer sent more headers than Content-Length.");
        }

        headers.CopyTo(text);
        text = text[..(int)headers.Length];
        if (!text.StartsWith("Content-Length: "u8)
            || !Utf8Parser.TryParse(text["Content-Length: "u8.Length..], out int length, out int digits)
            || digits != text.Length - "Content-Length: "u8.Length)
        {
            throw new InvalidDataException($"Not a Content-Length header: {Encoding.ASCII.GetString(text)}");
        }

        if (reader.Remaining < length)
        {
            return false;
        }

        message = buffer.Slice(reader.Position, length);
        buffer = buffer.Slice(message.End);
        return true;
    }

    public Task CallAsync() => CallManyAsync(1);

    public async Task CallManyAsync(int count)
    {
        for (int i = 0; i < count; i++)
        {
            _clientOutput.Write(_framedRequest);
        }

        _ = await _clientOutput.FlushAsync().ConfigureAwait(false);
        while (count > 0)
        {
            ReadResult read = await _clientInput.ReadAsync().ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = read.Buffer;
            while (count > 0 && TryReadFrame(ref buffer, out _))
            {
                count--;
            }

            _clientInput.AdvanceTo(buffer.Start, buffer.End);
            if (count > 0 && read.IsCompleted)
            {
                throw new InvalidOperationException("The floor's server went away.");
            }
        }
    }

    public async Task VerifyAsync()
    {
        _clientOutput.Write(_framedRequest);
        _ = await _clientOutput.FlushAsync().ConfigureAwait(false);
        while (true)
        {
            ReadResult read = await _clientInput.ReadAsync().ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = read.Buffer;
            if (TryReadFrame(ref buffer, out ReadOnlySequence<byte> message))
            {
                Check.SameBytes(_reply, message.ToArray(), nameof(TcpFloor));
                _clientInput.AdvanceTo(buffer.Start);
                return;
            }

            _clientInput.AdvanceTo(buffer.Start, buffer.End);
            if (read.IsCompleted)
            {
                throw new InvalidOperationException("The floor's server went away.");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _clientOutput.CompleteAsync().ConfigureAwait(false);
        _client.Shutdown(SocketShutdown.Send);
        await _serving.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        await _clientInput.CompleteAsync().ConfigureAwait(false);
        _client.Dispose();
        _server.Dispose();
    }
}

/// <summary>
/// WebSocket: a Kestrel endpoint that accepts the socket and answers each whole text message, and a
/// <see cref="ClientWebSocket"/>. Map it with <see cref="MapServer"/> before the app starts.
/// </summary>
public sealed class WebSocketFloor : IContender
{
    private readonly ClientWebSocket _client;
    private readonly byte[] _request;
    private readonly byte[] _reply;
    private byte[] _buffer = new byte[4096];

    private WebSocketFloor(ClientWebSocket client, byte[] request, byte[] reply)
    {
        _client = client;
        _request = request;
        _reply = reply;
    }

    /// <summary>Maps the echo endpoint at <paramref name="pattern"/>; every message is answered with <paramref name="reply"/>.</summary>
    public static void MapServer(WebApplication app, string pattern, byte[] reply) => app.Map(pattern, async context =>
    {
        using WebSocket socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        byte[] buffer = new byte[4096];
        try
        {
            while (true)
            {
                WebSocketReceiveResult received = await socket.ReceiveAsync(buffer, context.RequestAborted).ConfigureAwait(false);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None).ConfigureAwait(false);
                    return;
                }

                while (!received.EndOfMessage)
                {
                    received = await socket.ReceiveAsync(buffer, context.RequestAborted).ConfigureAwait(false);
                }

                await socket.SendAsync(reply, WebSocketMessageType.Text, endOfMessage: true, context.RequestAborted).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // the client went away
        }
    });

    public static async Task<WebSocketFloor> ConnectAsync(Uri uri, byte[] request, byte[] reply)
    {
        var client = new ClientWebSocket();
        await client.ConnectAsync(uri, CancellationToken.None).ConfigureAwait(false);
        return new WebSocketFloor(client, request, reply);
    }

    public Task CallAsync() => CallManyAsync(1);

    public async Task CallManyAsync(int count)
    {
        for (int i = 0; i < count; i++)
        {
            await _client.SendAsync(_request, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
        }

        for (int i = 0; i < count; i++)
        {
            _ = await ReceiveAsync().ConfigureAwait(false);
        }
    }

    private async Task<int> ReceiveAsync()
    {
        int length = 0;
        while (true)
        {
            ValueWebSocketReceiveResult received = await _client.ReceiveAsync(_buffer.AsMemory(length), CancellationToken.None).ConfigureAwait(false);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                throw new InvalidOperationException("The floor's server closed the socket.");
            }

            length += received.Count;
            if (received.EndOfMessage)
            {
                return length;
            }

            if (length == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }
        }
    }

    public async Task VerifyAsync()
    {
        await _client.SendAsync(_request, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
        int length = await ReceiveAsync().ConfigureAwait(false);
        Check.SameBytes(_reply, _buffer.AsMemory(0, length), nameof(WebSocketFloor));
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _client.CloseAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // the server is already gone
        }

        _client.Dispose();
    }
}

/// <summary>
/// HTTP/1.1: a minimal Kestrel endpoint that reads the request body and answers with the reply, and an
/// <see cref="HttpClient"/> that POSTs the request bytes. Map it with <see cref="MapServer"/> before the app starts.
/// </summary>
public sealed class HttpFloor : IContender
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private readonly HttpClient _http;
    private readonly Uri _uri;
    private readonly byte[] _request;
    private readonly byte[] _reply;
    private Task[] _calls = [];

    public HttpFloor(HttpClient http, Uri uri, byte[] request, byte[] reply)
    {
        _http = http;
        _uri = uri;
        _request = request;
        _reply = reply;
    }

    /// <summary>Maps the endpoint at <paramref name="pattern"/>: the body is read whole, then <paramref name="reply"/> written.</summary>
    public static void MapServer(WebApplication app, string pattern, byte[] reply) => app.MapPost(pattern, async context =>
    {
        long declared = context.Request.ContentLength ?? throw new InvalidOperationException("The floor needs a Content-Length.");
        byte[] body = declared is >= 0 and <= 16 << 20 ? new byte[declared] : throw new InvalidOperationException("The floor takes at most 16 MB.");
        await context.Request.Body.ReadExactlyAsync(body, context.RequestAborted).ConfigureAwait(false);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = reply.Length;
        await context.Response.Body.WriteAsync(reply, context.RequestAborted).ConfigureAwait(false);
    });

    public Task CallAsync() => PostAsync();

    private async Task<byte[]> PostAsync()
    {
        using var content = new ByteArrayContent(_request);
        content.Headers.ContentType = Json;
        using HttpResponseMessage response = await _http.PostAsync(_uri, content).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
    }

    public Task CallManyAsync(int count)
    {
        if (_calls.Length != count)
        {
            _calls = new Task[count];
        }

        for (int i = 0; i < count; i++)
        {
            _calls[i] = PostAsync();
        }

        return Task.WhenAll(_calls);
    }

    public async Task VerifyAsync()
    {
        byte[] reply = await PostAsync().ConfigureAwait(false);
        Check.SameBytes(_reply, reply, nameof(HttpFloor));
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>
/// ZeroMQ (NetMQ, tcp on 127.0.0.1): a ROUTER socket on a thread of its own answering each request, and a REQ or
/// DEALER client socket used directly by the caller (blocking sends and receives, no poller). The envelope is the one
/// REQ writes and TinyRpc's DEALER client writes too: the peer's identity, an empty frame, the body. REQ has one
/// request in flight at a time by its nature; DEALER sends all outstanding requests, then reads the replies.
/// </summary>
public sealed class ZmqFloor : IContender
{
    private readonly RouterSocket _server;
    private readonly NetMQSocket _client;
    private readonly bool _dealer;
    private readonly byte[] _request;
    private readonly byte[] _reply;
    private readonly Thread _serving;
    private volatile bool _stopping;

    public ZmqFloor(bool dealer, byte[] request, byte[] reply)
    {
        _dealer = dealer;
        _request = request;
        _reply = reply;
        _server = new RouterSocket();
        int port = _server.BindRandomPort("tcp://127.0.0.1");
        _client = dealer ? new DealerSocket() : new RequestSocket();
        _client.Connect($"tcp://127.0.0.1:{port}");
        _serving = new Thread(Serve) { IsBackground = true, Name = "ZeroMQ floor" };
        _serving.Start();
    }

    /// <summary>The endpoint name of the contender, as the tables show it.</summary>
    public string Kind => _dealer ? "DEALER" : "REQ";

    private void Serve()
    {
        var poll = TimeSpan.FromMilliseconds(100);
        while (!_stopping)
        {
            if (!_server.TryReceiveFrameBytes(poll, out byte[]? identity, out bool more))
            {
                continue;
            }

            // the empty delimiter, then the body
            while (more)
            {
                _ = _server.ReceiveFrameBytes(out more);
            }

            _server.SendMoreFrame(identity).SendMoreFrameEmpty().SendFrame(_reply);
        }

        _server.Dispose();
    }

    public Task CallAsync() => CallManyAsync(1);

    public Task CallManyAsync(int count)
    {
        if (!_dealer)
        {
            if (count != 1)
            {
                throw new NotSupportedException("A REQ socket has one request in flight at a time.");
            }

            _client.SendFrame(_request);
            _ = _client.ReceiveFrameBytes();
            return Task.CompletedTask;
        }

        for (int i = 0; i < count; i++)
        {
            _client.SendMoreFrameEmpty().SendFrame(_request);
        }

        for (int i = 0; i < count; i++)
        {
            _ = _client.ReceiveFrameBytes(); // the empty delimiter
            _ = _client.ReceiveFrameBytes();
        }

        return Task.CompletedTask;
    }

    public Task VerifyAsync()
    {
        if (_dealer)
        {
            _client.SendMoreFrameEmpty().SendFrame(_request);
            _ = _client.ReceiveFrameBytes();
        }
        else
        {
            _client.SendFrame(_request);
        }

        Check.SameBytes(_reply, _client.ReceiveFrameBytes(), nameof(ZmqFloor));
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _stopping = true;
        _serving.Join(TimeSpan.FromSeconds(10));
        _client.Options.Linger = TimeSpan.Zero;
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
