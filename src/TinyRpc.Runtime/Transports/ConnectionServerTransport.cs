using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using TinyRpc.Exceptions;

namespace TinyRpc.Transports;

/// <summary>
/// A server transport that accepts many framed connections (TCP, named pipes) and merges their messages;
/// each reply goes back on the connection its request came from. A connection whose framing breaks, or that
/// sends a message over the size limit, is closed; the others carry on.
/// </summary>
/// <remarks>
/// Sending a reply never waits for the peer to read: the reply is queued on its connection, bounded by
/// <see cref="MultiplexedServerTransport.MaxRequestsInFlightPerConnection"/> and
/// <see cref="MultiplexedServerTransport.MaxQueuedReplyBytesPerConnection"/> (see <see cref="MultiplexedServerTransport"/>).
/// A peer that stops reading thus stops only itself; it stays connected, and is served again once it reads.
/// </remarks>
public abstract class ConnectionServerTransport : MultiplexedServerTransport, IAsyncDisposable
{
    // How long DisposeAsync lets the replies already queued go out before it closes the connections.
    private static readonly TimeSpan s_flushOnDispose = TimeSpan.FromSeconds(2);

    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private Task? _acceptLoop;
    private TimeSpan _idleTimeout = Timeout.InfiniteTimeSpan;

    /// <summary>Creates the transport.</summary>
    protected ConnectionServerTransport(MessageFraming framing, int maxMessageSize)
        : base(inboxCapacity: 1024, maxReplySize: maxMessageSize)
    {
        Framing = framing;
        MaxMessageSize = maxMessageSize;
    }

    /// <summary>The framing of every connection.</summary>
    public MessageFraming Framing { get; }

    /// <summary>The largest message read or sent, in bytes; see <see cref="IReplySizeLimit"/> for replies.</summary>
    public int MaxMessageSize { get; }

    /// <summary>
    /// How long a connection may stay idle, with no request in flight and no message arriving, before the transport
    /// stops reading from it and closes it (replies already queued get up to two seconds to go out first). Off
    /// (<see cref="Timeout.InfiniteTimeSpan"/>) by default, as a peer may rightly keep a connection for occasional
    /// calls; set it on a server that peers may leave without closing. A message cut short by the close is not read,
    /// and a connection counts as busy from the moment a whole request is read until its reply is queued, however
    /// long the method runs. Applies to connections accepted afterwards.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive and not <see cref="Timeout.InfiniteTimeSpan"/>.</exception>
    public TimeSpan IdleTimeout
    {
        get => _idleTimeout;
        set
        {
            if (value != Timeout.InfiniteTimeSpan)
            {
                ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            }

            _idleTimeout = value;
        }
    }

    /// <summary>Waits for the next connection; null when no more will come.</summary>
    protected abstract Task<Stream?> AcceptAsync(CancellationToken cancellationToken);

    /// <summary>Stops accepting (called once on dispose).</summary>
    protected abstract void StopListening();

    /// <summary>Starts accepting connections (done by the first receive when not called).</summary>
    public void Start()
    {
        lock (_gate)
        {
            _acceptLoop ??= Task.Run(AcceptLoopAsync);
        }
    }

    /// <inheritdoc/>
    /// <remarks>Starts accepting connections first (<see cref="Start"/>).</remarks>
    public override ValueTask<RpcInboundMessage?> ReceiveMessageAsync(CancellationToken cancellationToken = default)
    {
        Start();
        return base.ReceiveMessageAsync(cancellationToken);
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (!_stopping.IsCancellationRequested)
            {
                Stream? stream = await AcceptAsync(_stopping.Token).ConfigureAwait(false);
                if (stream is null)
                {
                    break;
                }

                if (HandshakeTimeout is { } timeout)
                {
                    // Off the accept loop, so that a peer slow to shake hands holds up no one else; the timeout bounds
                    // what a peer that never finishes may hold. Made here, while the stopping token's source is alive.
                    var handshake = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                    handshake.CancelAfter(timeout);
                    _ = Task.Run(() => HandshakeThenServeAsync(stream, handshake));
                }
                else if (!Serve(stream, stream))
                {
                    await stream.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
        catch (Exception) when (_stopping.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException)
        {
            // The listener failed; no more connections will come.
        }
    }

    /// <summary>How long an accepted connection may take to finish its handshake; null when there is none.</summary>
    private protected virtual TimeSpan? HandshakeTimeout => null;

    /// <summary>The handshake of an accepted connection (TLS): the stream to frame messages on.</summary>
    private protected virtual Task<Stream> HandshakeAsync(Stream stream, CancellationToken cancellationToken) => Task.FromResult(stream);

    private async Task HandshakeThenServeAsync(Stream stream, CancellationTokenSource handshake)
    {
        bool served = false;
        try
        {
            Stream secured = await HandshakeAsync(stream, handshake.Token).ConfigureAwait(false);
            served = Serve(secured, stream);
            if (!served)
            {
                await secured.DisposeAsync().ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException or ObjectDisposedException
            or SocketException or NotSupportedException or InvalidOperationException)
        {
            // A failed or timed-out handshake closes this connection only.
        }
        finally
        {
            handshake.Dispose();
            if (!served)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    // False when the transport is stopping: the caller closes the stream. The peer's address is read from the stream
    // accepted (under TLS, the one the handshake wraps), once per connection.
    private bool Serve(Stream stream, Stream accepted)
    {
        if (_stopping.IsCancellationRequested)
        {
            return false;
        }

        // One served in the instant DisposeAsync lists the connections to close reads nothing, as its reads wait on
        // the stop already cancelled, and closes itself.
        var connection = new Connection(this, new FramedConnection(stream, Framing, MaxMessageSize), RemoteEndPointOf(accepted), _idleTimeout, _stopping.Token);
        _ = Task.Run(() => ServeAsync(connection));
        return true;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        StopListening();
        CompleteInbox();

        // Replies already queued (requests answered before the stop) still go out, all connections at once, for a
        // bounded time: a peer that does not read is cut off by the close. Their read loops see the stop only later.
        await ClosePeersAsync(s_flushOnDispose).ConfigureAwait(false);
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }

        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }

    private static EndPoint? RemoteEndPointOf(Stream accepted)
    {
        try
        {
            return (accepted as NetworkStream)?.Socket.RemoteEndPoint;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Gone already: its messages, if any, come from nowhere known.
            return null;
        }
    }

    /// <summary>One accepted connection: its messages framed on its stream, its replies queued there; the context of
    /// its messages, which knows the peer's address over TCP.</summary>
    private sealed class Connection : Peer, IRpcInboundContext
    {
        private readonly FramedConnection _framed;
        private readonly CancellationTokenSource? _reading; // cancelled by the idle clock; null when there is no limit

        public Connection(ConnectionServerTransport owner, FramedConnection framed, EndPoint? remoteEndPoint, TimeSpan idleTimeout, CancellationToken stopping)
            : base(owner, idleTimeout)
        {
            _framed = framed;
            RemoteEndPoint = remoteEndPoint;
            if (idleTimeout != Timeout.InfiniteTimeSpan)
            {
                _reading = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            }

            ReadAborted = _reading?.Token ?? stopping;

            // Queued bytes go down only when a write ends: that is when a paused read loop may go on.
            framed.WriteEnded = OnQueuedBytesWritten;
        }

        protected internal override CancellationToken ReadAborted { get; }

        public EndPoint? RemoteEndPoint { get; }

        // A connected client's end is reported through GetPeerClosed.
        public CancellationToken RequesterGone => CancellationToken.None;

        protected internal override long QueuedBytes => _framed.PendingBytes;

        protected internal override ValueTask<ReadOnlyMemory<byte>?> ReceiveAsync(CancellationToken cancellationToken)
            => _framed.ReadAsync(cancellationToken);

        // Never waits for the client: a reply waiting here would keep the server's dispatch slot, and a client that
        // stops reading would take every slot in turn. A broken connection is seen by its reader.
        // While other requests of this client are being answered, a reply joins the batch their replies go out in.
        protected internal override ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
        {
            try
            {
                if (Unanswered > 1)
                {
                    _framed.QueueSoon(message);
                }
                else
                {
                    _framed.Queue(message);
                }
            }
            catch (IOException e)
            {
                // An earlier write failed: the connection is broken and its reader ends it.
                throw new RpcTransportException("The connection to the client failed: " + e.Message, e);
            }

            return ValueTask.CompletedTask;
        }

        protected internal override Task FlushAsync() => _framed.FlushQueuedAsync();

        protected internal override async ValueTask CloseAsync()
        {
            await _framed.DisposeAsync().ConfigureAwait(false);
            _reading?.Dispose();
        }

        // A request read in the instant the clock ran out is still answered: SendReplyAsync closes then.
        protected override void OnIdle()
        {
            try
            {
                _reading?.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The connection ended meanwhile.
            }
        }
    }
}
