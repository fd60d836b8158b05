using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Authentication;
using System.Threading.Channels;
using TinyRpc.Exceptions;
using TinyRpc.Server;

namespace TinyRpc.Transports;

/// <summary>
/// A server transport that accepts many framed connections (TCP, named pipes) and merges their messages;
/// each reply goes back on the connection its request came from. A connection whose framing breaks, or that
/// sends a message over the size limit, is closed; the others carry on.
/// </summary>
/// <remarks>
/// Sending a reply never waits for the peer to read: the reply is queued on its connection. What one connection
/// may hold is bounded instead: while it has <see cref="MaxRequestsInFlightPerConnection"/> requests read and not
/// yet answered, or <see cref="MaxQueuedReplyBytesPerConnection"/> reply bytes not yet written, the transport
/// reads nothing more from it, and the stream's own flow control (TCP's window, a pipe's buffer) then holds its
/// peer back. A peer that stops reading thus stops only itself; it stays connected, and is served again once it
/// reads.
/// </remarks>
public abstract class ConnectionServerTransport : IServerTransport, IDuplexServerTransport, IReplySizeLimit, IAsyncDisposable
{
    // How long DisposeAsync lets the replies already queued go out before it closes the connections.
    private static readonly TimeSpan s_flushOnDispose = TimeSpan.FromSeconds(2);

    private readonly Channel<RpcInboundMessage> _inbox;
    private readonly CancellationTokenSource _stopping = new();
    private readonly HashSet<ServerConnection> _connections = [];
    private readonly Lock _gate = new();
    private Task? _acceptLoop;
    private int _maxRequestsInFlight = 128;
    private int _maxQueuedReplyBytes = 1024 * 1024;
    private TimeSpan _idleTimeout = Timeout.InfiniteTimeSpan;
    private long _peakQueuedReplyBytes;

    /// <summary>Creates the transport.</summary>
    protected ConnectionServerTransport(MessageFraming framing, int maxMessageSize)
    {
        Framing = framing;
        MaxMessageSize = maxMessageSize;
        _inbox = Channel.CreateBounded<RpcInboundMessage>(new BoundedChannelOptions(1024) { SingleReader = false, SingleWriter = false });
    }

    /// <summary>The framing of every connection.</summary>
    public MessageFraming Framing { get; }

    /// <summary>The largest message read or sent, in bytes; see <see cref="IReplySizeLimit"/> for replies.</summary>
    public int MaxMessageSize { get; }

    /// <inheritdoc/>
    int IReplySizeLimit.MaxReplySize => MaxMessageSize;

    /// <summary>
    /// The most requests of one connection that may have been read and not yet answered (128 by default). A
    /// connection that reaches it is not read from until one of them is answered. Applies from the next read.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxRequestsInFlightPerConnection
    {
        get => _maxRequestsInFlight;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _maxRequestsInFlight = value;
        }
    }

    /// <summary>
    /// The most reply bytes (framing included) one connection may have queued and not yet written to its stream
    /// (1 MiB by default). A connection that reaches it is not read from until its peer has read enough replies to
    /// go below it. Replies are queued whatever their size, so a connection holds at most this much plus the replies
    /// to the requests in flight when reading stopped. Applies from the next read.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxQueuedReplyBytesPerConnection
    {
        get => _maxQueuedReplyBytes;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _maxQueuedReplyBytes = value;
        }
    }

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

    // The most reply bytes any one connection has had queued and not yet written, as seen just after each reply was
    // queued: the measure of what a peer that does not read costs the server.
    internal long PeakQueuedReplyBytes => Interlocked.Read(ref _peakQueuedReplyBytes);

    /// <summary>The number of open connections.</summary>
    public int ConnectionCount
    {
        get
        {
            lock (_gate)
            {
                return _connections.Count;
            }
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
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<RpcInboundMessage?> ReceiveMessageAsync(CancellationToken cancellationToken = default)
    {
        Start();
        try
        {
            return await _inbox.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Completes without waiting for the peer to read: the reply is copied and queued on its connection (see the
    /// class remarks for what bounds the queue). Every message received must be answered here, with an empty reply
    /// for a notification: the count of requests in flight, which pauses reading, goes down only then.
    /// </remarks>
    /// <exception cref="RpcFramingException">The reply is over <see cref="MaxMessageSize"/> (nothing is sent; <see cref="RpcServer"/>
    /// sends the protocol's error reply instead), or cannot be framed.</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SendReplyAsync(object? context, ReadOnlyMemory<byte> reply, CancellationToken cancellationToken = default)
    {
        if (context is not ServerConnection connection)
        {
            throw new ArgumentException("The context does not come from this transport.", nameof(context));
        }

        try
        {
            if (!reply.IsEmpty)
            {
                // Never waits for the peer: a reply waiting here would keep the server's dispatch slot, and a peer
                // that stops reading would take every slot in turn. A broken connection is seen by its reader.
                connection.Framed.Queue(reply);
                long pending = connection.Framed.PendingBytes;
                for (long peak = PeakQueuedReplyBytes; pending > peak; peak = PeakQueuedReplyBytes)
                {
                    Interlocked.CompareExchange(ref _peakQueuedReplyBytes, pending, peak);
                }
            }
        }
        finally
        {
            if (connection.Answered())
            {
                await CloseAsync(connection, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<object> Peers
    {
        get
        {
            lock (_gate)
            {
                return [.. _connections];
            }
        }
    }

    /// <inheritdoc/>
    /// <remarks>Queued on the connection as a reply is, without waiting for the client to read it.</remarks>
    /// <exception cref="RpcFramingException">The message is over <see cref="MaxMessageSize"/>.</exception>
    public ValueTask SendToPeerAsync(object context, ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        ServerConnection connection = context as ServerConnection ?? throw new ArgumentException("The context does not come from this transport.", nameof(context));
        if (connection.Closed.IsCancellationRequested)
        {
            throw new RpcTransportException("The client has disconnected.");
        }

        try
        {
            connection.Framed.Queue(message);
        }
        catch (ObjectDisposedException e)
        {
            throw new RpcTransportException("The client has disconnected.", e);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public CancellationToken GetPeerClosed(object context)
        => (context as ServerConnection ?? throw new ArgumentException("The context does not come from this transport.", nameof(context))).Closed;

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
                else if (!Serve(stream))
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
            served = Serve(secured);
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

    // False when the transport is stopping: the caller closes the stream.
    private bool Serve(Stream stream)
    {
        var connection = new ServerConnection(new FramedConnection(stream, Framing, MaxMessageSize), this, _idleTimeout, _stopping.Token);
        lock (_gate)
        {
            // Checked under the lock that DisposeAsync takes after cancelling, to list the connections it closes.
            if (_stopping.IsCancellationRequested)
            {
                return false;
            }

            _connections.Add(connection);
        }

        connection.StartIdleClock();
        _ = Task.Run(() => ReadLoopAsync(connection));
        return true;
    }

    private async Task ReadLoopAsync(ServerConnection connection)
    {
        try
        {
            while (!_stopping.IsCancellationRequested)
            {
                // Back-pressure on this peer alone: while it holds its share, its bytes wait in the stream.
                await connection.WaitForRoomAsync().WaitAsync(connection.Reading).ConfigureAwait(false);
                ReadOnlyMemory<byte>? message = await connection.Framed.ReadAsync(connection.Reading).ConfigureAwait(false);
                if (message is null)
                {
                    break;
                }

                connection.Received();
                await _inbox.Writer.WriteAsync(new RpcInboundMessage(connection, message.Value), _stopping.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is RpcFramingException or IOException or ObjectDisposedException or OperationCanceledException or SocketException)
        {
            // A broken or vanished client: drop its connection and keep serving the others.
        }
        finally
        {
            // A client may close its sending side and still wait for its answers: the connection stays open
            // until every request read from it has had its reply.
            if (connection.InputEnded())
            {
                // Not cut short by the transport's stopping: DisposeAsync waits for queued replies itself, and closes a
                // connection whose peer does not read, which ends this wait too. An idle connection's peer may not read
                // either, and nothing else would close it.
                using var flushing = new CancellationTokenSource(connection.TimedOut ? s_flushOnDispose : Timeout.InfiniteTimeSpan);
                await CloseAsync(connection, flushing.Token).ConfigureAwait(false);
            }

            // A request read in the instant the idle clock ran out is still answered: SendReplyAsync closes then.
            connection.Dispose();
        }
    }

    // The replies still queued go out first, unless the wait is cancelled (a peer that stops reading is cut off by
    // DisposeAsync or by the server's abort).
    private async ValueTask CloseAsync(ServerConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            await connection.Framed.FlushQueuedAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // close anyway
        }

        lock (_gate)
        {
            _connections.Remove(connection);
        }

        await connection.Framed.DisposeAsync().ConfigureAwait(false);
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
        _inbox.Writer.TryComplete();
        ServerConnection[] open;
        lock (_gate)
        {
            open = _connections.ToArray();
        }

        // Replies already queued (requests answered before the stop) still go out, all connections at once, for
        // a bounded time: a peer that does not read is cut off by the close.
        Task flushed = Task.WhenAll(open.Select(static c => c.Framed.FlushQueuedAsync()));
        if (!flushed.IsCompleted)
        {
            await Task.WhenAny(flushed, Task.Delay(s_flushOnDispose, CancellationToken.None)).ConfigureAwait(false);
        }

        foreach (ServerConnection connection in open)
        {
            await connection.Framed.DisposeAsync().ConfigureAwait(false);
        }

        // Closed now, though their read loops (and replies still being handled) may see it only later.
        lock (_gate)
        {
            _connections.ExceptWith(open);
        }

        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }

        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// One accepted connection, the number of its requests still waiting for their reply, and the wait of its read
    /// loop for room (see <see cref="MaxRequestsInFlightPerConnection"/>, <see cref="MaxQueuedReplyBytesPerConnection"/>).
    /// </summary>
    private sealed class ServerConnection : IDisposable
    {
        private readonly Lock _gate = new();
        private readonly ConnectionServerTransport _owner;
        private readonly TimeSpan _idleTimeout;
        private readonly CancellationTokenSource? _idle; // runs out while the connection is idle; null when there is no limit
        private readonly CancellationTokenSource _closed = new(); // not disposed: tokens handed out may be read at any time
        private int _unanswered;
        private bool _inputEnded;
        private TaskCompletionSource? _room; // the read loop's wait, while the connection holds its share

        public ServerConnection(FramedConnection framed, ConnectionServerTransport owner, TimeSpan idleTimeout, CancellationToken stopping)
        {
            Framed = framed;
            _owner = owner;
            _idleTimeout = idleTimeout;
            if (idleTimeout != Timeout.InfiniteTimeSpan)
            {
                _idle = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            }

            Reading = _idle?.Token ?? stopping;

            // Queued bytes go down only when a write ends: that is when a paused read loop may go on.
            framed.WriteEnded = SignalRoom;
        }

        public FramedConnection Framed { get; }

        /// <summary>Cancelled when the connection's read loop has ended: nothing more comes from its client.</summary>
        public CancellationToken Closed => _closed.Token;

        /// <summary>Ends the read loop's waits: cancelled when the transport stops or the connection was idle too long.</summary>
        public CancellationToken Reading { get; }

        /// <summary>Whether the connection was closed for being idle.</summary>
        public bool TimedOut
        {
            get
            {
                lock (_gate)
                {
                    return _idle is { IsCancellationRequested: true } && !_owner._stopping.IsCancellationRequested;
                }
            }
        }

        public void StartIdleClock()
        {
            lock (_gate)
            {
                _idle?.CancelAfter(_idleTimeout);
            }
        }

        /// <summary>Completes when the connection may read another request: at once, unless it holds its share.</summary>
        public Task WaitForRoomAsync()
        {
            // Checked and registered under the lock that SignalRoom takes after every change that makes room, so
            // that no change between the two goes unseen.
            lock (_gate)
            {
                if (HasRoom())
                {
                    return Task.CompletedTask;
                }

                _room = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                return _room.Task;
            }
        }

        public void Received()
        {
            lock (_gate)
            {
                // Busy until this one is answered. Under the lock, so that the last change of the count sets the clock.
                _unanswered++;
                _idle?.CancelAfter(Timeout.InfiniteTimeSpan);
            }
        }

        /// <summary>Records a reply; true when it was the last one owed and the client sends no more.</summary>
        public bool Answered()
        {
            bool last;
            lock (_gate)
            {
                last = --_unanswered == 0 && _inputEnded;
                if (_unanswered == 0 && !_inputEnded)
                {
                    _idle?.CancelAfter(_idleTimeout);
                }
            }

            SignalRoom();
            return last;
        }

        /// <summary>Records the end of input; true when no reply is owed any more.</summary>
        public bool InputEnded()
        {
            lock (_gate)
            {
                _inputEnded = true;
                return _unanswered == 0;
            }
        }

        private bool HasRoom()
            => _unanswered < _owner.MaxRequestsInFlightPerConnection && Framed.PendingBytes < _owner.MaxQueuedReplyBytesPerConnection;

        private void SignalRoom()
        {
            TaskCompletionSource? room;
            lock (_gate)
            {
                room = _room;
                if (room is null || !HasRoom())
                {
                    return;
                }

                _room = null;
            }

            room.TrySetResult();
        }

        public void Dispose()
        {
            _closed.Cancel();
            _idle?.Dispose();
        }
    }
}
