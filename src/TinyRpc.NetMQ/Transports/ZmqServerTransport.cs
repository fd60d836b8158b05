using System.Threading.Channels;
using NetMQ;
using NetMQ.Sockets;
using TinyRpc.Exceptions;

namespace TinyRpc.Transports;

/// <summary>
/// Server transport on a ZeroMQ ROUTER socket (tinyrpc's <c>ZmqServerTransport</c>). Every frame before the
/// last is the routing envelope of a request and goes back unchanged before its reply, so REQ, DEALER and
/// libzmq peers are all answered. A notification is answered with an empty frame, which keeps a REQ peer's
/// send/receive alternation going.
/// </summary>
/// <remarks>
/// <para>A ROUTER socket silently drops a reply past its send high-water mark (1000 messages per peer by
/// default); <see cref="Create"/> lifts the mark, and a socket passed in should have
/// <c>Options.SendHighWatermark</c> set to 0 before it is bound.
/// The socket is used only on the transport's own poller thread; replies may be sent from any thread.
/// The transport owns the socket and closes it on <see cref="Dispose"/>, which also ends
/// <see cref="ReceiveMessageAsync"/>.</para>
/// <para>A request sent with its caller's deadline (<see cref="ZmqClientTransport.SendsDeadline"/>: a frame
/// <c>tinyrpc-deadline:</c> and Unix milliseconds just before the body) carries it as
/// <see cref="RpcInboundMessage.Deadline"/>: the server does not start it once the deadline has passed, and the
/// method's token fires at the deadline. The frame is not part of the envelope, and the reply goes back without it.</para>
/// <para>Duplex (<see cref="IDuplexServerTransport"/>): the messages of one directly connected peer (one routing
/// identity, then at most an empty delimiter frame) share one context object; a message with a longer envelope (from
/// behind a proxy) gets a context of its own, which is gone at once. Only a DEALER peer whose routing identity starts with <see cref="DuplexIdentityPrefix"/>
/// (<see cref="ZmqDealerClientTransport.Create"/> gives it one) is listed in <see cref="Peers"/> and takes the
/// server's own messages: a ROUTER cannot tell a REQ peer from a DEALER, and a REQ socket would take a message of
/// the server's as the reply to its next request. ZeroMQ does not tell a ROUTER that a peer has gone (NetMQ has no
/// <c>ROUTER_NOTIFY</c>, and its socket monitor names the endpoint, not the peer), so the transport looks every
/// <see cref="PeerCheckInterval"/>: a DEALER peer is gone once ZeroMQ has no connection for its identity any more
/// (an empty message is routed to it with <c>ROUTER_MANDATORY</c>; <see cref="ZmqDealerClientTransport"/> ignores
/// it); any other peer is forgotten after <see cref="PeerIdleTimeout"/> without a message, and a later message
/// of it gets a new context.</para>
/// </remarks>
public sealed class ZmqServerTransport : IServerTransport, IOwnedReplySender, IDuplexServerTransport, IInlineServerReceiver, IDisposable
{
    /// <summary>The default number of received requests that may wait for the server: 1024.</summary>
    public const int DefaultBacklog = 1024;

    /// <summary>
    /// The start (ASCII) of the routing identity of a DEALER peer that takes the server's own messages, requests and
    /// notifications, besides replies. <see cref="ZmqDealerClientTransport.Create"/> gives its socket such an identity,
    /// followed by 16 random bytes; a libzmq DEALER may set one (<c>ZMQ_ROUTING_ID</c>) to be called back too, and must
    /// then send every message with an empty delimiter frame before its body, as REQ does.
    /// </summary>
    public const string DuplexIdentityPrefix = "tinyrpc-dealer:";

    private static readonly byte[] s_duplexIdentityPrefix = System.Text.Encoding.ASCII.GetBytes(DuplexIdentityPrefix);

    private readonly RouterSocket _socket;
    private readonly ZmqSocketLoop _loop;
    private readonly NetMQQueue<Outgoing> _outgoing = new();
    private readonly Channel<RpcInboundMessage> _requests;
    private readonly NetMQTimer _peerCheck;

    // Every peer known, by its routing identity; read and changed on the poller thread only.
    private readonly Dictionary<byte[], ZmqPeer> _peers = new(PeerKeyComparer.Instance);
    private readonly Dictionary<byte[], ZmqPeer>.AlternateLookup<ReadOnlySpan<byte>> _peerLookup;
    private readonly HashSet<ZmqPeer> _duplexPeers = []; // under _gate
    private readonly Lock _gate = new();
    private readonly NetMQMessage _received = new();
    private TimeSpan _peerCheckInterval = TimeSpan.FromSeconds(1);
    private long _peerIdleMilliseconds = 60_000;
    private RpcInboundMessage? _held;
    private int _paused;

    /// <summary>Serves on <paramref name="socket"/>, a ROUTER socket already bound to its endpoint(s).</summary>
    /// <param name="socket">The bound ROUTER socket. The transport sets its <c>Options.RouterMandatory</c>, which
    /// tells it when a peer has gone.</param>
    /// <param name="backlog">
    /// How many received requests may wait for the server to take them. When that many wait, the transport
    /// stops reading the socket until the server catches up, and ZeroMQ's own receive high-water mark holds
    /// back the peers.
    /// </param>
    public ZmqServerTransport(RouterSocket socket, int backlog = DefaultBacklog)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentOutOfRangeException.ThrowIfLessThan(backlog, 1);
        // A waiting reader is resumed on the poller thread: RpcServer's loop (ReceiveMessageInlineAsync) only hands each
        // request to the thread pool, one thread hand-off fewer per request; ReceiveMessageAsync moves off the poller itself.
        _requests = Channel.CreateBounded<RpcInboundMessage>(
            new BoundedChannelOptions(backlog) { SingleWriter = true, AllowSynchronousContinuations = true });
        _peerLookup = _peers.GetAlternateLookup<ReadOnlySpan<byte>>();
        _socket = socket;
        _socket.Options.RouterMandatory = true;
        Endpoint = socket.Options.LastEndpoint;
        _socket.ReceiveReady += OnRequestReady;
        _outgoing.ReceiveReady += OnOutgoingReady;
        _peerCheck = new NetMQTimer(_peerCheckInterval);
        _peerCheck.Elapsed += OnPeerCheck;
        _loop = new ZmqSocketLoop("TinyRpc ZeroMQ server");
        _loop.InvokeAsync(() =>
        {
            _loop.Poller.Add(_socket);
            _loop.Poller.Add(_outgoing);
            _loop.Poller.Add(_peerCheck);
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

    /// <summary>
    /// How often the transport looks for peers that have gone (see the class remarks): each look routes an empty
    /// message to every peer in <see cref="Peers"/>. A call of the server's to a DEALER peer that has gone fails
    /// within about this long with an <see cref="RpcTransportException"/>. 1 second by default.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive, or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    public TimeSpan PeerCheckInterval
    {
        get => _peerCheckInterval;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.FromMilliseconds(1));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, TimeSpan.FromMilliseconds(int.MaxValue));
            _peerCheckInterval = value;
            if (!_loop.IsDisposed)
            {
                _loop.InvokeAsync(() => _peerCheck.Interval = (int)value.TotalMilliseconds)
                    .ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
    }

    /// <summary>
    /// How long a peer that cannot take the server's messages (a REQ peer, or a DEALER without a
    /// <see cref="DuplexIdentityPrefix"/> identity) is remembered after its last message: then its context's
    /// <see cref="GetPeerClosed"/> token is cancelled and its next message gets a new context. A ROUTER cannot see
    /// such a peer leave, so this bounds what the peers that come and go cost. A reply still reaches a peer that is
    /// forgotten while its request runs. 1 minute by default; <see cref="Timeout.InfiniteTimeSpan"/> never forgets.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive and not <see cref="Timeout.InfiniteTimeSpan"/>.</exception>
    public TimeSpan PeerIdleTimeout
    {
        get
        {
            long milliseconds = Volatile.Read(ref _peerIdleMilliseconds);
            return milliseconds < 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(milliseconds);
        }
        set
        {
            if (value != Timeout.InfiniteTimeSpan)
            {
                ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            }

            Volatile.Write(ref _peerIdleMilliseconds, value == Timeout.InfiniteTimeSpan ? -1 : (long)Math.Ceiling(value.TotalMilliseconds));
        }
    }

    /// <inheritdoc/>
    /// <remarks>The DEALER peers with a <see cref="DuplexIdentityPrefix"/> identity that have sent a message and have not gone.</remarks>
    public IReadOnlyList<object> Peers
    {
        get
        {
            lock (_gate)
            {
                return [.. _duplexPeers];
            }
        }
    }

    /// <inheritdoc/>
    public async ValueTask<RpcInboundMessage?> ReceiveMessageAsync(CancellationToken cancellationToken = default)
    {
        RpcInboundMessage? request = await ReceiveAsync(cancellationToken).ConfigureAwait(false);
        if (_loop.IsLoopThread)
        {
            // Resumed by the poller: a caller that blocks must not block the socket.
            await ZmqSocketLoop.LeaveLoopThread();
        }

        return request;
    }

    // A waiting receive is resumed on the poller thread, which sends no reply until the caller returns from it: the
    // caller must only hand the request on, never block or wait on a reply.
    ValueTask<RpcInboundMessage?> IInlineServerReceiver.ReceiveMessageInlineAsync(CancellationToken cancellationToken)
        => ReceiveAsync(cancellationToken);

    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<RpcInboundMessage?> ReceiveAsync(CancellationToken cancellationToken)
    {
        try
        {
            RpcInboundMessage request = await _requests.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (Volatile.Read(ref _paused) != 0 && !_loop.IsDisposed)
            {
                // Posted even on the poller thread: there this may run inside Resume's own write of the held request,
                // and Resume must not run inside itself.
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
        => Send(context, reply.ToArray(), reply: true);

    /// <inheritdoc/>
    /// <remarks>A reply that fills an array of its own becomes the ZeroMQ frame as it is, without a copy.</remarks>
    public ValueTask SendOwnedReplyAsync(object? context, ReadOnlyMemory<byte> reply, CancellationToken cancellationToken = default)
        => Send(context, WholeArray(reply) ?? reply.ToArray(), reply: true);

    /// <inheritdoc/>
    /// <remarks>
    /// Framed as a reply (the peer's envelope, then the message) and queued without waiting for the peer. A peer found
    /// gone when the message is routed is forgotten at once, and the server's calls waiting on it fail.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="context"/> did not come from this transport.</exception>
    /// <exception cref="RpcTransportException">The peer cannot take the server's messages (a REQ peer, or a DEALER without a
    /// <see cref="DuplexIdentityPrefix"/> identity), it has gone, or the transport has been disposed.</exception>
    public ValueTask SendToPeerAsync(object context, ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
        => Send(context, message.ToArray(), reply: false);

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="context"/> did not come from this transport.</exception>
    public CancellationToken GetPeerClosed(object context) => AsPeer(context).Closed;

    /// <summary>A routing identity that makes a DEALER peer one of <see cref="Peers"/>: the prefix, then 16 random bytes.</summary>
    internal static byte[] NewDuplexIdentity()
    {
        byte[] identity = new byte[s_duplexIdentityPrefix.Length + 16];
        s_duplexIdentityPrefix.CopyTo(identity, 0);
        System.Security.Cryptography.RandomNumberGenerator.Fill(identity.AsSpan(s_duplexIdentityPrefix.Length));
        return identity;
    }

    internal static byte[]? WholeArray(ReadOnlyMemory<byte> bytes)
        => System.Runtime.InteropServices.MemoryMarshal.TryGetArray(bytes, out ArraySegment<byte> segment)
            && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : null;

    private static ZmqPeer AsPeer(object? context)
        => context as ZmqPeer ?? throw new ArgumentException("The context does not come from a ZeroMQ server transport.", nameof(context));

    private ValueTask Send(object? context, byte[] body, bool reply)
    {
        ZmqPeer peer = AsPeer(context);
        if (_loop.IsDisposed)
        {
            throw new RpcTransportException(reply
                ? "The ZeroMQ server transport has been disposed; the reply was not sent."
                : "The ZeroMQ server transport has been disposed; the message was not sent.");
        }

        if (!reply)
        {
            if (!peer.Duplex)
            {
                throw new RpcTransportException(
                    "This ZeroMQ peer cannot take the server's own messages: only a DEALER whose routing identity starts with \""
                    + DuplexIdentityPrefix + "\" can (ZmqDealerClientTransport.Create gives it one). A REQ peer would take the message as the reply to its next request.");
            }

            if (peer.Closed.IsCancellationRequested)
            {
                throw new RpcTransportException("The ZeroMQ peer has disconnected.");
            }
        }

        _outgoing.Enqueue(new Outgoing(peer, body));
        return ValueTask.CompletedTask;
    }

    /// <summary>Stops the poller thread and closes the socket; pending receives return null, and every peer is gone.</summary>
    public void Dispose()
    {
        _requests.Writer.TryComplete();
        _loop.Dispose(() =>
        {
            // Replies of requests that finished while the loop was stopping still go out.
            SendQueued();
            ZmqSocketLoop.Close(_socket, TimeSpan.FromSeconds(1));
            _outgoing.Dispose();
            foreach (ZmqPeer peer in _peers.Values)
            {
                peer.Close();
            }

            _peers.Clear();
        });

        // Also when the poller did not stop in time: the server's calls to these peers fail rather than wait.
        ZmqPeer[] duplexPeers;
        lock (_gate)
        {
            duplexPeers = [.. _duplexPeers];
            _duplexPeers.Clear();
        }

        foreach (ZmqPeer peer in duplexPeers)
        {
            peer.Close();
        }
    }

    private void OnRequestReady(object? sender, NetMQSocketEventArgs e)
    {
        NetMQMessage message = _received;
        while (TryReceive(e.Socket, message))
        {
            // A ROUTER socket always puts the peer's identity first, so a message has at least two frames.
            if (message.FrameCount < 2)
            {
                message.Clear();
                continue;
            }

            // A request's deadline (ZmqClientTransport.SendsDeadline) comes in the frame before its body; without it
            // the envelope is the peer's, as from any other client.
            DateTimeOffset? deadline = null;
            if (message.FrameCount >= 3 && message[message.FrameCount - 2] is var frame
                && ZmqDeadline.TryRead(frame.Buffer.AsSpan(0, frame.MessageSize), out DateTimeOffset at))
            {
                deadline = at;
                message.RemoveFrame(frame);
            }

            ZmqPeer peer = PeerOf(message);
            NetMQFrame last = message.Last;

            // Each received frame is an array of its own (NetMQ copies it out of the socket), so the body needs no copy.
            byte[] body = last.MessageSize == last.Buffer.Length ? last.Buffer : last.ToByteArray();
            message.Clear();
            var request = new RpcInboundMessage(peer, body);
            if (deadline is not null)
            {
                request = request with { Deadline = deadline };
            }

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
        }
    }

    /// <summary>
    /// The context of a received message: the peer of its routing identity, looked up without allocating, made at its
    /// first message. Only a direct peer (the identity, then at most an empty delimiter) is remembered, so a peer's
    /// frames cannot make the transport remember more than one context per connection; a message with any other
    /// envelope (from behind a proxy, say) gets a context of its own, as every message did before, that is gone at once.
    /// </summary>
    private ZmqPeer PeerOf(NetMQMessage message)
    {
        int envelopeFrames = message.FrameCount - 1;
        NetMQFrame identity = message[0];
        if (_peerLookup.TryGetValue(identity.Buffer.AsSpan(0, identity.MessageSize), out ZmqPeer? peer) && peer.Matches(message))
        {
            peer.LastSeen = Environment.TickCount64;
            return peer;
        }

        var frames = new byte[envelopeFrames][];
        for (int i = 0; i < envelopeFrames; i++)
        {
            frames[i] = message[i].ToByteArray();
        }

        bool direct = envelopeFrames == 1 || (envelopeFrames == 2 && frames[1].Length == 0);
        if (!direct || peer is not null)
        {
            return new ZmqPeer(frames, duplex: false, remembered: false);
        }

        // A DEALER peer that says so (identity, then the empty delimiter) takes the server's own messages.
        bool duplex = envelopeFrames == 2 && frames[0].AsSpan().StartsWith(s_duplexIdentityPrefix);
        peer = new ZmqPeer(frames, duplex, remembered: true) { LastSeen = Environment.TickCount64 };
        _peers.Add(frames[0], peer);
        if (duplex)
        {
            lock (_gate)
            {
                _duplexPeers.Add(peer);
            }
        }

        return peer;
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

    private void OnOutgoingReady(object? sender, NetMQQueueEventArgs<Outgoing> e) => SendQueued();

    private void SendQueued()
    {
        while (_outgoing.TryDequeue(out Outgoing item, TimeSpan.Zero))
        {
            if (Route(item.Peer, item.Body) == RouteResult.Gone)
            {
                Forget(item.Peer);
            }
        }
    }

    /// <summary>
    /// Sends <paramref name="body"/> after the peer's envelope. Never blocks: past a send high-water mark the message
    /// is dropped, as a ROUTER drops it; a peer ZeroMQ has no connection for is reported (RouterMandatory).
    /// </summary>
    private RouteResult Route(ZmqPeer peer, byte[] body)
    {
        byte[][] envelope = peer.Frames;
        try
        {
            if (!_socket.TrySendFrame(TimeSpan.Zero, envelope[0], more: true))
            {
                return RouteResult.Full;
            }

            // The first frame found the peer's pipe, so the rest of the message goes too.
            for (int i = 1; i < envelope.Length; i++)
            {
                _socket.SendMoreFrame(envelope[i]);
            }

            _socket.SendFrame(body);
            return RouteResult.Sent;
        }
        catch (HostUnreachableException)
        {
            return RouteResult.Gone;
        }
        catch (NetMQException)
        {
            return RouteResult.Full;
        }
    }

    private void OnPeerCheck(object? sender, NetMQTimerEventArgs e)
    {
        long idle = Volatile.Read(ref _peerIdleMilliseconds);
        long now = Environment.TickCount64;
        List<ZmqPeer>? gone = null;
        foreach (ZmqPeer peer in _peers.Values)
        {
            // A DEALER peer gets an empty message (it ignores it), routed only while ZeroMQ has its connection.
            bool isGone = peer.Duplex
                ? Route(peer, []) == RouteResult.Gone
                : idle >= 0 && now - peer.LastSeen >= idle;
            if (isGone)
            {
                (gone ??= []).Add(peer);
            }
        }

        if (gone is not null)
        {
            foreach (ZmqPeer peer in gone)
            {
                Forget(peer);
            }
        }
    }

    /// <summary>Drops a peer that has gone (on the poller thread): its next message, if any, makes a new one.</summary>
    private void Forget(ZmqPeer peer)
    {
        if (!_peers.TryGetValue(peer.Frames[0], out ZmqPeer? known) || !ReferenceEquals(known, peer))
        {
            return; // forgotten already, or never remembered
        }

        _peers.Remove(peer.Frames[0]);
        if (peer.Duplex)
        {
            lock (_gate)
            {
                _duplexPeers.Remove(peer);
            }
        }

        // Off the poller thread: the token's callbacks (the server failing its calls) are not the socket's business.
        ThreadPool.UnsafeQueueUserWorkItem(static p => p.Close(), peer, preferLocal: false);
    }

    private static bool TryReceive(NetMQSocket socket, NetMQMessage message)
    {
        try
        {
            NetMQMessage? received = message;
            return socket.TryReceiveMultipartMessage(TimeSpan.Zero, ref received);
        }
        catch (NetMQException)
        {
            return false;
        }
    }

    private enum RouteResult
    {
        Sent,
        Full,
        Gone,
    }

    private readonly record struct Outgoing(ZmqPeer Peer, byte[] Body);

    /// <summary>The context of every message of one peer: its routing envelope, and whether it is still there.</summary>
    private sealed class ZmqPeer : IDisposable
    {
        // Null for a context that is not remembered: it is gone from the start, and costs no token source.
        private readonly CancellationTokenSource? _closed;

        public ZmqPeer(byte[][] frames, bool duplex, bool remembered)
        {
            Frames = frames;
            Duplex = duplex;
            _closed = remembered ? new CancellationTokenSource() : null; // not disposed: tokens handed out may be read at any time
        }

        /// <summary>The routing envelope, sent before each message to the peer; the identity first.</summary>
        public byte[][] Frames { get; }

        /// <summary>Whether the peer takes the server's own messages (a DEALER with a <see cref="DuplexIdentityPrefix"/> identity).</summary>
        public bool Duplex { get; }

        /// <summary>When its last message came (<see cref="Environment.TickCount64"/>); poller thread only.</summary>
        public long LastSeen { get; set; }

        public CancellationToken Closed => _closed?.Token ?? new CancellationToken(canceled: true);

        /// <summary>Whether <paramref name="message"/>, from this peer's identity, has the rest of its envelope too.</summary>
        public bool Matches(NetMQMessage message)
        {
            if (message.FrameCount - 1 != Frames.Length)
            {
                return false;
            }

            for (int i = 1; i < Frames.Length; i++)
            {
                NetMQFrame frame = message[i];
                if (!frame.Buffer.AsSpan(0, frame.MessageSize).SequenceEqual(Frames[i]))
                {
                    return false;
                }
            }

            return true;
        }

        public void Close()
        {
            try
            {
                _closed?.Cancel();
            }
            catch (AggregateException)
            {
                // A callback failed; the peer is gone all the same.
            }
        }

        /// <summary>The same as <see cref="Close"/>; the token stays readable, as tokens handed out may be read at any time.</summary>
        public void Dispose() => Close();
    }

    /// <summary>Compares routing identities by content, also against a span, so that a received identity is looked up without a copy.</summary>
    private sealed class PeerKeyComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static PeerKeyComparer Instance { get; } = new();

        public bool Equals(byte[]? x, byte[]? y) => ReferenceEquals(x, y) || (x is not null && y is not null && x.AsSpan().SequenceEqual(y));

        public int GetHashCode(byte[] obj) => GetHashCode((ReadOnlySpan<byte>)obj);

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            var hash = default(HashCode);
            hash.AddBytes(alternate);
            return hash.ToHashCode();
        }

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}
