using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using TinyRpc.Exceptions;
using TinyRpc.Server;

namespace TinyRpc.Transports;

/// <summary>
/// The part every server transport with many connected clients shares (TCP, named pipes, WebSocket): the messages of
/// all peers merged into one inbox, each with its peer as context; each reply, and each message the server sends of its
/// own, written to the peer of its context; the list of peers and a token per peer for its end; back-pressure per peer;
/// and the closing of peers. A subclass brings its peers (a <see cref="Peer"/> for each accepted client, served with
/// <see cref="ServeAsync"/>), and says how one reads a message and writes one.
/// </summary>
/// <remarks>
/// <para>
/// Back-pressure: while a peer has <see cref="MaxRequestsInFlightPerConnection"/> messages read and not yet answered,
/// or <see cref="MaxQueuedReplyBytesPerConnection"/> reply bytes queued and not yet written, nothing more is read from
/// it, and its transport's own flow control (TCP's window, a pipe's buffer) holds the client back. A peer that stops
/// reading thus stops only itself. When the inbox is full, every peer waits.
/// </para>
/// <para>
/// Concurrency: one caller at a time receives (<see cref="ReceiveMessageAsync"/>); replies and messages to peers may be
/// sent from any thread at once, to the same peer or to different ones, also while a receive waits; <see cref="Peers"/>,
/// <see cref="GetPeerClosed"/>, <see cref="ConnectionCount"/> and the limits may be used from any thread at any time.
/// Each peer's messages are read by one loop (<see cref="ServeAsync"/>); <see cref="ServeAsync"/> may run for many
/// peers at once.
/// </para>
/// </remarks>
public abstract partial class MultiplexedServerTransport : IServerTransport, IDuplexServerTransport, IReplySizeLimit
{
    // How long a peer closed for being idle gets to write the replies it has queued.
    private static readonly TimeSpan s_flushOnIdle = TimeSpan.FromSeconds(2);

    private readonly Channel<RpcInboundMessage> _inbox;
    private readonly HashSet<Peer> _peers = [];
    private readonly Lock _gate = new();
    private readonly int _maxReplySize;
    private int _maxRequestsInFlight = 128;
    private int _maxQueuedReplyBytes = 1024 * 1024;
    private long _peakQueuedReplyBytes;

    /// <summary>Creates the transport.</summary>
    /// <param name="inboxCapacity">How many messages read from peers may wait for <see cref="ReceiveMessageAsync"/>; while
    /// that many wait, no peer is read from.</param>
    /// <param name="maxReplySize">The largest reply the peers can take (see <see cref="IReplySizeLimit"/>);
    /// <see cref="int.MaxValue"/> for no limit.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is less than 1.</exception>
    protected MultiplexedServerTransport(int inboxCapacity, int maxReplySize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inboxCapacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxReplySize, 1);
        _maxReplySize = maxReplySize;
        _inbox = Channel.CreateBounded<RpcInboundMessage>(new BoundedChannelOptions(inboxCapacity) { SingleReader = false, SingleWriter = false });
    }

    /// <inheritdoc/>
    int IReplySizeLimit.MaxReplySize => _maxReplySize;

    /// <summary>
    /// The most messages of one peer that may have been read and not yet answered (128 by default;
    /// <see cref="int.MaxValue"/> on a <c>WebSocketServerTransport</c>, whose reading waits only for the inbox). A peer
    /// that reaches it is not read from until one of them is answered. Applies from the next read.
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
    /// The most reply bytes (framing included) one peer may have queued and not yet written (1 MiB by default). A peer
    /// that reaches it is not read from until its client has read enough replies to go below it. Replies are queued
    /// whatever their size, so a peer holds at most this much plus the replies to the requests in flight when reading
    /// stopped. Only peers that queue replies (<see cref="Peer.QueuedBytes"/>) reach it. Applies from the next read.
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

    /// <summary>The number of peers connected now.</summary>
    public int ConnectionCount
    {
        get
        {
            lock (_gate)
            {
                return _peers.Count;
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
                var contexts = new object[_peers.Count];
                int i = 0;
                foreach (Peer peer in _peers)
                {
                    contexts[i++] = peer.Context;
                }

                return contexts;
            }
        }
    }

    // The most reply bytes any one peer has had queued and not yet written, as seen just after each reply was queued:
    // the measure of what a client that does not read costs the server.
    internal long PeakQueuedReplyBytes => Interlocked.Read(ref _peakQueuedReplyBytes);

    /// <inheritdoc/>
    /// <remarks>Returns null once the inbox is completed (<see cref="CompleteInbox"/>) and empty.</remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public virtual async ValueTask<RpcInboundMessage?> ReceiveMessageAsync(CancellationToken cancellationToken = default)
    {
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
    /// Written by the peer of <paramref name="context"/> (<see cref="Peer.SendAsync"/>: queued, or sent before this
    /// completes, as the subclass does it). Every message received must be answered here, with an empty reply for a
    /// notification or a reply: the count of messages in flight, which pauses reading, goes down only then. A reply to a
    /// peer that has gone is dropped.
    /// </remarks>
    /// <exception cref="ArgumentException">The context does not come from this transport.</exception>
    /// <exception cref="RpcFramingException">The reply cannot be framed, or is over the peer's limit (nothing is sent;
    /// <see cref="RpcServer"/> sends no reply over the limit given to the constructor, but the protocol's error reply
    /// instead).</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SendReplyAsync(object? context, ReadOnlyMemory<byte> reply, CancellationToken cancellationToken = default)
    {
        Peer peer = PeerOf(context);
        try
        {
            if (!reply.IsEmpty)
            {
                await peer.SendAsync(reply, cancellationToken).ConfigureAwait(false);
                long queued = peer.QueuedBytes;
                for (long peak = PeakQueuedReplyBytes; queued > peak; peak = PeakQueuedReplyBytes)
                {
                    Interlocked.CompareExchange(ref _peakQueuedReplyBytes, queued, peak);
                }
            }
        }
        finally
        {
            if (peer.Answered())
            {
                await ClosePeerAsync(peer, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc/>
    /// <remarks>Written as a reply is, in turn with the replies (<see cref="Peer.SendAsync"/>).</remarks>
    /// <exception cref="ArgumentException">The context does not come from this transport.</exception>
    public ValueTask SendToPeerAsync(object context, ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        Peer peer = PeerOf(context);
        if (peer.Closed.IsCancellationRequested)
        {
            throw new RpcTransportException("The client has disconnected.");
        }

        try
        {
            return peer.SendAsync(message, cancellationToken);
        }
        catch (ObjectDisposedException e)
        {
            throw new RpcTransportException("The client has disconnected.", e);
        }
    }

    /// <inheritdoc/>
    /// <remarks>Cancelled when the read loop of the peer has ended (<see cref="ServeAsync"/>): nothing more comes from it.</remarks>
    /// <exception cref="ArgumentException">The context does not come from this transport.</exception>
    public CancellationToken GetPeerClosed(object context) => PeerOf(context).Closed;

    /// <summary>
    /// Adds <paramref name="peer"/> to <see cref="Peers"/> and reads its messages into the inbox until its input ends
    /// (<see cref="Peer.ReceiveAsync"/> returns null or fails, or <see cref="Peer.ReadAborted"/> is cancelled); then closes
    /// it once every message read from it is answered (at once, when it cannot answer after its input ended:
    /// <see cref="Peer.AnswersAfterInputEnds"/>), and cancels its <see cref="GetPeerClosed"/> token. Completes when the
    /// read loop has ended, which may be before the peer is closed. Called once per peer, by the subclass, on a task of
    /// its own.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="peer"/> is null.</exception>
    protected async Task ServeAsync(Peer peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        lock (_gate)
        {
            _peers.Add(peer);
        }

        peer.StartIdleClock();
        CancellationToken aborted = peer.ReadAborted;
        try
        {
            while (true)
            {
                // Back-pressure on this peer alone: while it holds its share, its bytes wait in its transport.
                await peer.WaitForRoomAsync().WaitAsync(aborted).ConfigureAwait(false);
                ReadOnlyMemory<byte>? message = await peer.ReceiveAsync(aborted).ConfigureAwait(false);
                if (message is null)
                {
                    break;
                }

                peer.Received();
                try
                {
                    await _inbox.Writer.WriteAsync(new RpcInboundMessage(peer.Context, message.Value), aborted).ConfigureAwait(false);
                }
                catch
                {
                    // Never handed to the server, so never answered.
                    peer.Answered();
                    throw;
                }
            }
        }
        catch (Exception e) when (e is RpcFramingException or IOException or ObjectDisposedException or OperationCanceledException
            or SocketException or ChannelClosedException)
        {
            // A broken or vanished client, or the transport stopping: drop this peer and keep serving the others.
        }
        finally
        {
            // A stream's client may close its sending side and still wait for its answers: such a peer stays open
            // until every message read from it has had its reply (SendReplyAsync closes it then).
            if (peer.InputEnded() || !peer.AnswersAfterInputEnds)
            {
                // Not cut short by the transport's stopping: the subclass's stop closes a peer whose client does not
                // read, which ends this wait too. An idle peer's client may not read either, and nothing else would.
                using var flushing = new CancellationTokenSource(peer.TimedOut ? s_flushOnIdle : Timeout.InfiniteTimeSpan);
                await ClosePeerAsync(peer, flushing.Token).ConfigureAwait(false);
            }

            peer.End();
        }
    }

    /// <summary>
    /// Takes no more messages into the inbox: <see cref="ReceiveMessageAsync"/> returns null once those already there
    /// have been received, and peers whose reading waits for room in the inbox stop. May be called more than once.
    /// </summary>
    protected void CompleteInbox() => _inbox.Writer.TryComplete();

    /// <summary>
    /// Closes every peer connected now: first lets their queued replies go out (<see cref="Peer.FlushAsync"/>), all peers
    /// at once, for at most <paramref name="flushTimeout"/>; then closes each (<see cref="Peer.CloseAsync"/>), so that a
    /// client that does not read is cut off. For the subclass's stop, after its read loops were told to end.
    /// </summary>
    protected async Task ClosePeersAsync(TimeSpan flushTimeout)
    {
        Peer[] open;
        lock (_gate)
        {
            open = [.. _peers];
        }

        Task flushed = Task.WhenAll(open.Select(static p => p.FlushAsync()));
        if (!flushed.IsCompleted)
        {
            await Task.WhenAny(flushed, Task.Delay(flushTimeout, CancellationToken.None)).ConfigureAwait(false);
        }

        foreach (Peer peer in open)
        {
            await CloseNowAsync(peer).ConfigureAwait(false);
        }
    }

    // The replies still queued go out first, unless the wait is cancelled (a client that stops reading is cut off by
    // the transport's stop or by the server's abort).
    private async ValueTask ClosePeerAsync(Peer peer, CancellationToken cancellationToken)
    {
        try
        {
            await peer.FlushAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // close anyway
        }

        await CloseNowAsync(peer).ConfigureAwait(false);
    }

    // Only the first call for a peer closes it; a flush still waiting elsewhere ends with the close.
    private async ValueTask CloseNowAsync(Peer peer)
    {
        if (!peer.TryStartClosing())
        {
            return;
        }

        lock (_gate)
        {
            _peers.Remove(peer);
        }

        await peer.CloseAsync().ConfigureAwait(false);
    }

    /// <summary>The peer whose messages carry <paramref name="context"/>; null when it is not one of this transport's.
    /// Override it together with <see cref="Peer.Context"/>.</summary>
    protected virtual Peer? FindPeer(object? context) => context as Peer;

    private Peer PeerOf(object? context)
        => FindPeer(context) ?? throw new ArgumentException("The context does not come from this transport.", nameof(context));
}
