using System.Threading.Channels;
using NetMQ;
using NetMQ.Sockets;

namespace TinyRpc.Transports;

/// <summary>
/// Server transport on a ZeroMQ ROUTER socket (tinyrpc's <c>ZmqServerTransport</c>). Every frame before the
/// last is the routing envelope of a request and goes back unchanged before its reply, so REQ, DEALER and
/// libzmq peers are all answered. A notification is answered with an empty frame, which keeps a REQ peer's
/// send/receive alternation going.
/// </summary>
/// <remarks>
/// A ROUTER socket silently drops a reply past its send high-water mark (1000 messages per peer by
/// default); <see cref="Create"/> lifts the mark, and a socket passed in should have
/// <c>Options.SendHighWatermark</c> set to 0 before it is bound.
/// The socket is used only on the transport's own poller thread; replies may be sent from any thread.
/// The transport owns the socket and closes it on <see cref="Dispose"/>, which also ends
/// <see cref="ReceiveMessageAsync"/>.
/// </remarks>
public sealed class ZmqServerTransport : IServerTransport, IOwnedReplySender, IDisposable
{
    /// <summary>The default number of received requests that may wait for the server: 1024.</summary>
    public const int DefaultBacklog = 1024;

    private readonly RouterSocket _socket;
    private readonly ZmqSocketLoop _loop;
    private readonly NetMQQueue<NetMQMessage> _replies = new();
    private readonly Channel<RpcInboundMessage> _requests;
    private RpcInboundMessage? _held;
    private int _paused;

    /// <summary>Serves on <paramref name="socket"/>, a ROUTER socket already bound to its endpoint(s).</summary>
    /// <param name="socket">The bound ROUTER socket.</param>
    /// <param name="backlog">
    /// How many received requests may wait for the server to take them. When that many wait, the transport
    /// stops reading the socket until the server catches up, and ZeroMQ's own receive high-water mark holds
    /// back the peers.
    /// </param>
    public ZmqServerTransport(RouterSocket socket, int backlog = DefaultBacklog)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentOutOfRangeException.ThrowIfLessThan(backlog, 1);
        _requests = Channel.CreateBounded<RpcInboundMessage>(new BoundedChannelOptions(backlog) { SingleWriter = true });
        _socket = socket;
        Endpoint = socket.Options.LastEndpoint;
        _socket.ReceiveReady += OnRequestReady;
        _replies.ReceiveReady += OnReplyReady;
        _loop = new ZmqSocketLoop("TinyRpc ZeroMQ server");
        _loop.InvokeAsync(() =>
        {
            _loop.Poller.Add(_socket);
            _loop.Poller.Add(_replies);
        }).GetAwaiter().GetResult();
    }

    /// <summary>
    /// Creates a ROUTER socket bound to <paramref name="endpoint"/> (tinyrpc's <c>create</c>), for example
    /// <c>tcp://127.0.0.1:5001</c>; <c>tcp://127.0.0.1:*</c> binds a free port, see <see cref="Endpoint"/>.
    /// The socket has no send high-water mark: a ROUTER drops what exceeds it, and a reply must not be
    /// dropped because a client has many calls outstanding.
    /// </summary>
    /// <exception cref="RpcTransportException">The endpoint could not be bound.</exception>
    public static ZmqServerTransport Create(string endpoint, int backlog = DefaultBacklog)
    {
        ArgumentException.ThrowIfNullOrEmpty(endpoint);
        var socket = new RouterSocket();
        socket.Options.SendHighWatermark = 0;
        try
        {
            socket.Bind(endpoint);
        }
        catch (Exception e) when (e is NetMQException or ArgumentException)
        {
            ZmqSocketLoop.Close(socket, TimeSpan.Zero);
            throw new RpcTransportException($"Cannot bind a ZeroMQ ROUTER socket to {endpoint}: {e.Message}", e);
        }

        return new ZmqServerTransport(socket, backlog);
    }

    /// <summary>The endpoint the socket was last bound to, with the actual port when a wildcard was bound.</summary>
    public string? Endpoint { get; }

    /// <inheritdoc/>
    public async ValueTask<RpcInboundMessage?> ReceiveMessageAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            RpcInboundMessage request = await _requests.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (Volatile.Read(ref _paused) != 0 && !_loop.IsDisposed)
            {
                _ = _loop.InvokeAsync(Resume);
            }

            return request;
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="context"/> did not come from this transport.</exception>
    /// <exception cref="RpcTransportException">The transport has been disposed.</exception>
    public ValueTask SendReplyAsync(object? context, ReadOnlyMemory<byte> reply, CancellationToken cancellationToken = default)
        => SendReply(context, reply.ToArray());

    /// <inheritdoc/>
    /// <remarks>A reply that fills an array of its own becomes the ZeroMQ frame as it is, without a copy.</remarks>
    public ValueTask SendOwnedReplyAsync(object? context, ReadOnlyMemory<byte> reply, CancellationToken cancellationToken = default)
        => SendReply(context, WholeArray(reply) ?? reply.ToArray());

    internal static byte[]? WholeArray(ReadOnlyMemory<byte> bytes)
        => System.Runtime.InteropServices.MemoryMarshal.TryGetArray(bytes, out ArraySegment<byte> segment)
            && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : null;

    private ValueTask SendReply(object? context, byte[] reply)
    {
        if (context is not ZmqEnvelope envelope)
        {
            throw new ArgumentException("The context does not come from a ZeroMQ server transport.", nameof(context));
        }

        if (_loop.IsDisposed)
        {
            throw new RpcTransportException("The ZeroMQ server transport has been disposed; the reply was not sent.");
        }

        var message = new NetMQMessage(envelope.Frames.Length + 1);
        foreach (byte[] frame in envelope.Frames)
        {
            message.Append(frame);
        }

        message.Append(reply);
        _replies.Enqueue(message);
        return ValueTask.CompletedTask;
    }

    /// <summary>Stops the poller thread and closes the socket; pending receives return null.</summary>
    public void Dispose()
    {
        _requests.Writer.TryComplete();
        _loop.Dispose(() =>
        {
            // Replies of requests that finished while the loop was stopping still go out.
            SendQueuedReplies();
            ZmqSocketLoop.Close(_socket, TimeSpan.FromSeconds(1));
            _replies.Dispose();
        });
    }

    private void OnRequestReady(object? sender, NetMQSocketEventArgs e)
    {
        NetMQMessage? message = null;
        while (TryReceive(e.Socket, ref message) && message is not null)
        {
            // A ROUTER socket always puts the peer's identity first, so a message has at least two frames.
            if (message.FrameCount < 2)
            {
                message = null;
                continue;
            }

            var frames = new byte[message.FrameCount - 1][];
            for (int i = 0; i < frames.Length; i++)
            {
                frames[i] = message[i].ToByteArray();
            }

            var request = new RpcInboundMessage(new ZmqEnvelope(frames), message.Last.ToByteArray());
            if (!_requests.Writer.TryWrite(request))
            {
                // The backlog is full: keep this one and stop reading until the server takes some. A reader
                // that took one before the flag was set is caught by trying once more afterwards.
                _held = request;
                _socket.ReceiveReady -= OnRequestReady;
                Interlocked.Exchange(ref _paused, 1);
                Resume();
                return;
            }

            message = null;
        }
    }

    private void Resume()
    {
        if (Volatile.Read(ref _paused) == 0 || (_held is { } held && !_requests.Writer.TryWrite(held)))
        {
            return;
        }

        _held = null;
        Volatile.Write(ref _paused, 0);
        _socket.ReceiveReady += OnRequestReady;
    }

    private void OnReplyReady(object? sender, NetMQQueueEventArgs<NetMQMessage> e) => SendQueuedReplies();

    private void SendQueuedReplies()
    {
        while (_replies.TryDequeue(out NetMQMessage? reply, TimeSpan.Zero))
        {
            // A ROUTER drops a message for a peer that has gone away; it never blocks.
            try
            {
                _socket.TrySendMultipartMessage(TimeSpan.Zero, reply);
            }
            catch (NetMQException)
            {
            }
        }
    }

    private static bool TryReceive(NetMQSocket socket, ref NetMQMessage? message)
    {
        try
        {
            return socket.TryReceiveMultipartMessage(TimeSpan.Zero, ref message);
        }
        catch (NetMQException)
        {
            return false;
        }
    }

    private sealed class ZmqEnvelope(byte[][] frames)
    {
        public byte[][] Frames { get; } = frames;
    }
}
