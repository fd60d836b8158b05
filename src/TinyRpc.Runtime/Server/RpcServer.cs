using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Transports;

namespace TinyRpc.Server;

/// <summary>
/// Receives messages from a transport, dispatches them and sends the replies (tinyrpc's <c>RPCServer</c>;
/// with <see cref="RpcServerOptions.MaxConcurrency"/> above 1, <c>RPCServerGreenlets</c>). A message that cannot be
/// parsed gets the protocol's error reply; nothing a client sends stops the server.
/// </summary>
/// <remarks>
/// Logs to its <see cref="Responder"/>'s logger (<see cref="RpcResponder.Logger"/>, or the dispatcher's): clients of a
/// duplex transport connecting and leaving, a receive loop that failed, replies that could not be sent; docs/logging.md
/// lists the events.
/// </remarks>
public partial class RpcServer
{
    /// <summary>The <see cref="RpcTrace"/> direction of incoming messages.</summary>
    public const string Incoming = RpcResponder.Incoming;

    /// <summary>The <see cref="RpcTrace"/> direction of outgoing replies.</summary>
    public const string Outgoing = RpcResponder.Outgoing;

    // Requests a duplex server has read and that wait for a slot, before it stops reading (back-pressure).
    private const int MaxWaitingForSlot = 1024;

    private readonly int _maxConcurrency;
    private readonly TimeSpan _shutdownTimeout;
    private readonly bool _cancelCallsWhenClientLeaves;
    private readonly int _maxReplySize;
    private readonly IInlineServerReceiver? _inlineReceiver;
    private readonly IOwnedReplySender? _ownedReplySender;
    private readonly IDuplexServerTransport? _duplex;
    private readonly ConcurrentDictionary<object, PeerChannel>? _peers;
    private readonly Lock _peersGate = new();
    private volatile bool _stopped; // ServeForeverAsync has returned: the connections were ended

    /// <summary>Creates a server.</summary>
    public RpcServer(IServerTransport transport, RpcProtocol protocol, IRpcDispatcher dispatcher, RpcServerOptions? options = null)
        : this(transport, new RpcResponder(protocol, dispatcher), options)
    {
    }

    /// <summary>Creates a server that answers with <paramref name="responder"/>.</summary>
    public RpcServer(IServerTransport transport, RpcResponder responder, RpcServerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(responder);
        options ??= new RpcServerOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConcurrency, 1);
        Transport = transport;
        Responder = responder;
        _maxConcurrency = options.MaxConcurrency;
        _shutdownTimeout = options.ShutdownTimeout;
        _cancelCallsWhenClientLeaves = options.CancelCallsWhenClientLeaves;
        _maxReplySize = transport is IReplySizeLimit limited ? limited.MaxReplySize : int.MaxValue;
        _inlineReceiver = transport as IInlineServerReceiver;
        _ownedReplySender = transport as IOwnedReplySender;
        _duplex = transport as IDuplexServerTransport;
        if (_duplex is not null)
        {
            _peers = new ConcurrentDictionary<object, PeerChannel>(ReferenceEqualityComparer.Instance);
        }
    }

    /// <summary>The transport.</summary>
    public IServerTransport Transport { get; }

    /// <summary>Turns each message into its reply.</summary>
    public RpcResponder Responder { get; }

    /// <summary>The protocol.</summary>
    public RpcProtocol Protocol => Responder.Protocol;

    /// <summary>The dispatcher.</summary>
    public IRpcDispatcher Dispatcher => Responder.Dispatcher;

    /// <summary>Called with every incoming message and outgoing reply; see <see cref="RpcTrace"/>. The responder's <see cref="RpcResponder.Trace"/>.</summary>
    public RpcTrace? Trace
    {
        get => Responder.Trace;
        set => Responder.Trace = value;
    }

    /// <summary>
    /// The clients connected now, each as a connection through which the server calls it or notifies it (to push to
    /// every client, say). Empty when the transport does not keep its clients connected (see
    /// <see cref="IDuplexServerTransport"/>). The same object is <see cref="RpcConnection.Of(RpcRequest)"/> in the client's
    /// requests. Empty again once <see cref="ServeForeverAsync"/> has returned, which ends them.
    /// </summary>
    public IReadOnlyList<RpcConnection> Connections => _duplex is null || _stopped ? [] : [.. _duplex.Peers.Select(context => Peer(context).Connection)];

    /// <summary>
    /// Receives one message, handles it and sends the reply (tinyrpc's <c>receive_one_message</c>).
    /// Returns false when the transport has ended.
    /// </summary>
    public async Task<bool> ReceiveOneMessageAsync(CancellationToken cancellationToken = default)
    {
        RpcInboundMessage? inbound = await Transport.ReceiveMessageAsync(cancellationToken).ConfigureAwait(false);
        if (inbound is not { } message)
        {
            return false;
        }

        if (!TryDeliverReply(message, out bool notification))
        {
            // One message at a time: a notification is started (and finished) before the next message is read. The
            // connection's own are counted, as the reports before a reply (see StartConnectionNotification).
            RpcConnection? connection = notification && ConnectionStreams.IsConnectionNotification(Protocol, message.Message)
                ? Peer(message.Context!).Connection
                : null;
            connection?.NotificationQueued();
            await HandleAndReplyAsync(message, cancellationToken).ConfigureAwait(false);
            connection?.NotificationStarted();
        }

        return true;
    }

    /// <summary>
    /// Serves until <paramref name="cancellationToken"/> is cancelled or the transport ends (tinyrpc's
    /// <c>serve_forever</c>). On cancellation it stops receiving, lets the requests in flight finish (up to
    /// <see cref="RpcServerOptions.ShutdownTimeout"/>, then cancels them) and returns normally.
    /// </summary>
    public Task ServeForeverAsync(CancellationToken cancellationToken = default)
        => ServeAsync(_shutdownTimeout, cancellationToken, CancellationToken.None);

    /// <summary>
    /// Serves until <paramref name="cancellationToken"/> is cancelled or the transport ends, as
    /// <see cref="ServeForeverAsync"/> does, but then waits for the requests in flight until <paramref name="deadline"/>
    /// is cancelled, and only then cancels them: <see cref="RpcServerOptions.ShutdownTimeout"/> is not used. For a host
    /// that has a shutdown deadline of its own, so that stopping takes no second timeout on top of it.
    /// </summary>
    public Task ServeUntilDeadlineAsync(CancellationToken cancellationToken, CancellationToken deadline)
        => ServeAsync(Timeout.InfiniteTimeSpan, cancellationToken, deadline);

    private async Task ServeAsync(TimeSpan shutdownTimeout, CancellationToken cancellationToken, CancellationToken deadline)
    {
        // Not disposed: requests that outlive the shutdown timeout still release their slot and read the token.
        var abort = new CancellationTokenSource();
        var slots = new SemaphoreSlim(_maxConcurrency, _maxConcurrency);
        var inFlight = new InFlightRequests(this, slots, Math.Min(_maxConcurrency, 256), abort.Token);
        _stopped = false;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                // A server that cannot call its clients back takes a slot before it reads: it reads no more than it may
                // handle. One that can goes on reading while requests wait for slots, up to a bound, because the
                // methods holding every slot may be waiting for replies to their call backs, which come in here.
                bool holdsSlot = false;
                if (_duplex is null || inFlight.Waiting >= MaxWaitingForSlot)
                {
                    await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
                    holdsSlot = true;
                }

                RpcInboundMessage? inbound;
                try
                {
                    // This loop only hands each message on, so it may run on the thread that delivers the message.
                    inbound = _inlineReceiver is not null
                        ? await _inlineReceiver.ReceiveMessageInlineAsync(cancellationToken).ConfigureAwait(false)
                        : await Transport.ReceiveMessageAsync(cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    if (holdsSlot)
                    {
                        slots.Release();
                    }

                    throw;
                }

                bool notification = false;
                if (inbound is not { } message || TryDeliverReply(message, out notification))
                {
                    // The end of the transport, or a reply to the server's own call back, which takes no slot.
                    if (holdsSlot)
                    {
                        slots.Release();
                    }

                    if (inbound is null)
                    {
                        break;
                    }

                    continue;
                }

                if (notification && ConnectionStreams.IsConnectionNotification(Protocol, message.Message))
                {
                    if (holdsSlot)
                    {
                        slots.Release();
                    }

                    StartConnectionNotification(message, inFlight);
                    continue;
                }

                if (notification || (_duplex is not null && MustQueueBehindNotifications(message)))
                {
                    // A duplex client's notifications start in the order they came, each in the slot it gets then, and
                    // its requests do not overtake them.
                    if (holdsSlot)
                    {
                        slots.Release();
                    }

                    await QueueInOrderAsync(message, request: !notification, inFlight, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                // With MaxConcurrency 1 the next message is started only once this one has been answered (its slot
                // comes back), so messages are still handled one after another, in order (slots are given in the
                // order they were asked for), and the shutdown timeout applies to them as it does to concurrent ones.
                if (!holdsSlot && !slots.Wait(0, CancellationToken.None))
                {
                    inFlight.StartWhenSlotFree(message);
                    continue;
                }

                // A pooled thread-pool work item: far cheaper per request than Task.Run with a closure and a
                // continuation to track it, and it runs in the execution context this loop was started in.
                inFlight.Start(message);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // stopping: fall through to drain
        }
        catch (Exception e) when (LogReceiveFailed(e))
        {
            // Never reached: the filter only logs, and the exception goes on to the caller.
        }
        finally
        {
            Task drained = inFlight.StopAsync();
            if (!drained.IsCompleted
                && await Task.WhenAny(drained, Task.Delay(shutdownTimeout, deadline)).ConfigureAwait(false) != drained)
            {
                await abort.CancelAsync().ConfigureAwait(false);
                await Task.WhenAny(drained, Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None)).ConfigureAwait(false);
            }

            _stopped = true;
            await CloseConnectionsAsync().ConfigureAwait(false);
        }
    }

    // The server made the connections of its clients, so it ends them when it stops serving: their calls still
    // waiting fail at once instead of at their timeout, and nothing of them outlives the server. The transport, which
    // the caller made, stays the caller's to dispose.
    private async Task CloseConnectionsAsync()
    {
        if (_peers is null)
        {
            return;
        }

        foreach (KeyValuePair<object, PeerChannel> entry in _peers)
        {
            if (_peers.TryRemove(entry))
            {
                entry.Value.Close();
                await DisposeWhenEndedAsync(entry.Value.Connection).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Serves until the transport ends, blocking the calling thread (tinyrpc's <c>serve_forever</c>).</summary>
    public void ServeForever() => ServeForeverAsync().GetAwaiter().GetResult();

    /// <summary>
    /// Turns one message into its reply: parse, dispatch, serialize. Returns an empty reply when nothing is to
    /// be sent (notifications). Never throws. The same as <see cref="RpcResponder.RespondAsync(ReadOnlyMemory{byte}, CancellationToken)"/>.
    /// </summary>
    public ValueTask<ReadOnlyMemory<byte>> HandleMessageAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
        => Responder.RespondAsync(message, cancellationToken);

    private async Task HandleQueuedAsync(RpcInboundMessage message, InFlightRequests inFlight)
    {
        try
        {
            await HandleAndReplyAsync(message, inFlight.Token).ConfigureAwait(false);
        }
        finally
        {
            inFlight.Finish();
        }
    }

    // A reply to a call the server made to this client completes that call, and answers nothing; the transport is
    // told so (an empty reply), off this thread, as it is for a notification. A client whose connection has not been
    // made yet has been sent nothing, so its messages are requests or notifications. A duplex client's message is
    // classified once, here: whether it is a notification (which the caller queues in order) comes out too.
    private bool TryDeliverReply(RpcInboundMessage message, out bool notification)
    {
        notification = false;
        if (_duplex is null || message.Context is not { } context)
        {
            return false;
        }

        RpcMessageKind kind = Protocol.Classify(message.Message.Span);
        notification = kind == RpcMessageKind.Notification;
        if (kind != RpcMessageKind.Reply || !_peers!.TryGetValue(context, out PeerChannel? peer) || !peer.HasSent)
        {
            return false;
        }

        // The notifications read before this reply are those whose reports belong to the call it completes.
        peer.Deliver(message.Message, peer.Connection.NotificationsQueued);
        _ = AcknowledgeAsync(context);
        return true;
    }

    private async Task AcknowledgeAsync(object context)
    {
        try
        {
            await Transport.SendReplyAsync(context, ReadOnlyMemory<byte>.Empty, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RpcTransportException or IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // The client went away.
        }
    }

    private async Task HandleAndReplyAsync(RpcInboundMessage message, CancellationToken cancellationToken)
    {
        if (message.Deadline is { } deadline)
        {
            await HandleWithDeadlineAsync(message, deadline, cancellationToken).ConfigureAwait(false);
            return;
        }

        PeerChannel? peer = _duplex is not null && message.Context is { } context ? Peer(context) : null;

        // A request/reply transport that can tell when a requester has gone (an aborted HTTP request) ends the method's
        // wait with it; a connected client's end reaches its calls through its connection instead.
        CancellationTokenSource? requesterGone = _duplex is null && message.Context is IRpcInboundContext { RequesterGone.CanBeCanceled: true } inbound
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, inbound.RequesterGone)
            : null;
        RpcReply reply;
        try
        {
            reply = await Responder.RespondAsync(message.Message, message.Context, _maxReplySize, peer?.Connection.Inbound,
                requesterGone?.Token ?? cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            requesterGone?.Dispose();
        }
        await SendReplyAsync(message, reply, cancellationToken).ConfigureAwait(false);
    }

    // A request that came with its caller's deadline: not started once the caller has given up, cancelled when it gives
    // up while the method runs, and not answered after it (a -32800 answer would race the caller's own timeout, and the
    // caller would see either). The empty reply that says nothing is to be sent still goes to the transport, with the
    // server's own token: a queue transport acknowledges the request with it.
    private async Task HandleWithDeadlineAsync(RpcInboundMessage message, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        TimeSpan left = deadline - DateTimeOffset.UtcNow;
        if (left <= TimeSpan.Zero)
        {
            await SendReplyAsync(message, default, cancellationToken).ConfigureAwait(false);
            return;
        }

        PeerChannel? peer = _duplex is not null && message.Context is { } context ? Peer(context) : null;
        RpcReply reply;
        bool late;
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            if (left.TotalMilliseconds < uint.MaxValue - 1)
            {
                linked.CancelAfter(left);
            }

            reply = await Responder.RespondAsync(message.Message, message.Context, _maxReplySize, peer?.Connection.Inbound, linked.Token).ConfigureAwait(false);
            late = (linked.IsCancellationRequested && !cancellationToken.IsCancellationRequested) || DateTimeOffset.UtcNow >= deadline;
        }

        await SendReplyAsync(message, late ? default : reply, cancellationToken).ConfigureAwait(false);
    }

    private async Task SendReplyAsync(RpcInboundMessage message, RpcReply reply, CancellationToken cancellationToken)
    {

        try
        {
            if (reply.IsOwned && _ownedReplySender is not null)
            {
                await _ownedReplySender.SendOwnedReplyAsync(message.Context, reply.Message, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await Transport.SendReplyAsync(message.Context, reply.Message, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is RpcTransportException or IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // The requester went away; the reply has nowhere to go and the server carries on. A reply given up on
            // because the server is stopping is not a failure.
            if (!cancellationToken.IsCancellationRequested && Responder.EffectiveLogger is { } logger && logger.IsEnabled(LogLevel.Warning))
            {
                ServerLog.ReplyNotSent(logger, message.Context?.ToString() ?? "-", e);
            }
        }
    }

    private bool LogReceiveFailed(Exception exception)
    {
        if (Responder.EffectiveLogger is { } logger && logger.IsEnabled(LogLevel.Warning))
        {
            ServerLog.ReceiveFailed(logger, Transport.GetType().Name, exception);
        }

        return false;
    }

    // The server's side of the client of a context: made at its first message (or when Connections lists it), dropped
    // when the transport says the client is gone, which fails the calls still waiting on it.
    private PeerChannel Peer(object context)
    {
        if (_peers!.TryGetValue(context, out PeerChannel? peer))
        {
            return peer;
        }

        lock (_peersGate)
        {
            if (_peers.TryGetValue(context, out peer))
            {
                return peer;
            }

            peer = new PeerChannel(_duplex!, context);
            peer.Connection = new RpcConnection(Protocol, peer, _cancelCallsWhenClientLeaves) { Logger = Responder.EffectiveLogger };
            _peers[context] = peer;
        }

        if (Responder.EffectiveLogger is { } logger && logger.IsEnabled(LogLevel.Debug))
        {
            string client = context.ToString() ?? "-";
            ServerLog.ClientConnected(logger, client);
        }

        _duplex!.GetPeerClosed(context).UnsafeRegister(static state =>
        {
            var (server, peer) = ((RpcServer, PeerChannel))state!;
            if (server._peers!.TryRemove(new KeyValuePair<object, PeerChannel>(peer.Context, peer)) && server.Responder.EffectiveLogger is { } logger
                && logger.IsEnabled(LogLevel.Debug))
            {
                string client = peer.Context.ToString() ?? "-";
                ServerLog.ClientDisconnected(logger, client);
            }

            peer.Close(); // calls still waiting fail as the connection's receive loop ends
            _ = DisposeWhenEndedAsync(peer.Connection);
        }, (this, peer));
        return peer;
    }

    private static async Task DisposeWhenEndedAsync(RpcConnection connection)
    {
        await connection.Completion.ConfigureAwait(false);
        await connection.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// The channel of the server's side of one client: messages go out through the transport, and the replies to the
    /// server's calls, which arrive with the client's requests, are handed in by the server.
    /// </summary>
    private sealed partial class PeerChannel(IDuplexServerTransport transport, object context) : IMessageChannel, IDisposable, IOrderedReplySource
    {
        private readonly Channel<(ReadOnlyMemory<byte> Reply, long NotificationsBefore)> _replies =
            System.Threading.Channels.Channel.CreateUnbounded<(ReadOnlyMemory<byte>, long)>(new UnboundedChannelOptions { SingleReader = true });
        private volatile bool _hasSent;

        public object Context => context;

        public RpcConnection Connection { get; set; } = null!;

        /// <summary>Whether the server has sent this client anything: only then may a message from it be a reply.</summary>
        public bool HasSent => _hasSent;

        public ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
        {
            _hasSent = true; // before the message goes, so that its reply is recognised
            return transport.SendToPeerAsync(context, message, cancellationToken);
        }

        public async ValueTask<ReadOnlyMemory<byte>?> ReceiveAsync(CancellationToken cancellationToken = default)
        {
            try
            {
                (ReadOnlyMemory<byte> reply, long before) = await _replies.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                NotificationsBeforeReply = before; // read by the connection's receive loop as it handles this reply
                return reply;
            }
            catch (ChannelClosedException)
            {
                return null;
            }
        }

        public long NotificationsBeforeReply { get; private set; }

        public void Deliver(ReadOnlyMemory<byte> reply, long notificationsBefore) => _replies.Writer.TryWrite((reply, notificationsBefore));

        public void Close()
        {
            _replies.Writer.TryComplete();
            CompleteQueue();
        }

        public void Dispose() => Close();
    }

    /// <summary>The requests handled concurrently by one <see cref="ServeForeverAsync"/>, counted so that stopping can wait for them.</summary>
    private sealed class InFlightRequests(RpcServer server, SemaphoreSlim slots, int maxPooled, CancellationToken token)
    {
        private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ExecutionContext? _context = ExecutionContext.Capture();
        private readonly Lock _poolLock = new();
        private readonly Stack<RequestWorkItem> _pool = new();
        private int _count = 1; // the receive loop's own hold, given up by StopAsync

        public CancellationToken Token => token;

        private int _waiting;

        /// <summary>The requests counted in that wait for a slot.</summary>
        public int Waiting => Volatile.Read(ref _waiting);

        /// <summary>Counts <paramref name="message"/> in and queues it to the thread pool once it has a slot.</summary>
        public void StartWhenSlotFree(RpcInboundMessage message)
        {
            Interlocked.Increment(ref _count);
            Interlocked.Increment(ref _waiting);
            _ = WaitForSlotAsync(message);
        }

        private async Task WaitForSlotAsync(RpcInboundMessage message)
        {
            try
            {
                // Until the shutdown timeout cancels the requests in flight: these are in flight too.
                await slots.WaitAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Interlocked.Decrement(ref _waiting);
                Leave();
                return;
            }

            Interlocked.Decrement(ref _waiting);
            Queue(message);
        }

        /// <summary>Counts <paramref name="message"/> in and queues it to the thread pool.</summary>
        public void Start(RpcInboundMessage message)
        {
            Interlocked.Increment(ref _count);
            Queue(message);
        }

        /// <summary>Queues to the thread pool a message already counted in, which holds a slot.</summary>
        public void Queue(RpcInboundMessage message)
        {
            RequestWorkItem item;
            lock (_poolLock)
            {
                item = _pool.TryPop(out RequestWorkItem? pooled) ? pooled : new RequestWorkItem(this);
            }

            item.Message = message;
            ThreadPool.UnsafeQueueUserWorkItem(item, preferLocal: false);
        }

        private void Run(RequestWorkItem item)
        {
            RpcInboundMessage message = item.Message;
            item.Message = default;
            lock (_poolLock)
            {
                if (_pool.Count < maxPooled)
                {
                    _pool.Push(item);
                }
            }

            _ = server.HandleQueuedAsync(message, this);
        }

        public void Finish()
        {
            slots.Release();
            Leave();
        }

        /// <summary>The slots of <see cref="RpcServerOptions.MaxConcurrency"/>.</summary>
        public SemaphoreSlim Slots => slots;

        /// <summary>Counts in a message handled outside <see cref="Start"/> (a notification queued in order).</summary>
        public void Enter() => Interlocked.Increment(ref _count);

        /// <summary>Completes when every request started has finished.</summary>
        public Task StopAsync()
        {
            Leave();
            return _drained.Task;
        }

        public void Leave()
        {
            if (Interlocked.Decrement(ref _count) == 0)
            {
                _drained.TrySetResult();
            }
        }

        private sealed class RequestWorkItem(InFlightRequests owner) : IThreadPoolWorkItem
        {
            public RpcInboundMessage Message { get; set; }

            public void Execute()
            {
                if (owner._context is { } context)
                {
                    ExecutionContext.Run(context, static state => ((RequestWorkItem)state!).Run(), this);
                }
                else
                {
                    Run();
                }
            }

            private void Run() => owner.Run(this);
        }
    }
}

/// <summary>The server's log messages (docs/logging.md).</summary>
internal static partial class ServerLog
{
    [LoggerMessage(EventId = 20, Level = LogLevel.Debug, Message = "Client {Client} connected")]
    public static partial void ClientConnected(ILogger logger, string client);

    [LoggerMessage(EventId = 21, Level = LogLevel.Debug, Message = "Client {Client} disconnected")]
    public static partial void ClientDisconnected(ILogger logger, string client);

    [LoggerMessage(EventId = 30, Level = LogLevel.Warning, Message = "The server stopped: receiving from its {Transport} failed")]
    public static partial void ReceiveFailed(ILogger logger, string transport, Exception exception);

    [LoggerMessage(EventId = 31, Level = LogLevel.Warning, Message = "A reply to {Client} could not be sent")]
    public static partial void ReplyNotSent(ILogger logger, string client, Exception exception);
}
