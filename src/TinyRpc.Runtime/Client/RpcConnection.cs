using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using TinyRpc.Dispatch;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Server;
using TinyRpc.Transports;

namespace TinyRpc.Client;

/// <summary>
/// One end of a full-duplex connection, the same type on both ends: it calls the other side (everything
/// <see cref="RpcClient"/> does, replies matched by id) and serves the other side's calls with its own dispatcher.
/// A client that registers <see cref="RpcServiceAttribute"/> services of its own for the server to call back, a
/// peer of StreamJsonRpc's <c>JsonRpc</c>, or the server's side of one client (<see cref="RpcConnection.Of(RpcRequest)"/>,
/// <see cref="RpcServer.Connections"/>).
/// </summary>
/// <remarks>
/// It starts receiving when created. A message is told apart by <see cref="RpcProtocol.Classify"/>: replies complete
/// calls; requests and notifications go to the dispatcher, up to <see cref="RpcConnectionOptions.MaxConcurrency"/> at
/// once (more wait for a slot while replies are still read, so that methods waiting for replies of their own are not
/// stuck), each answered over the same channel (a connection without a dispatcher answers "Method not found"); a message
/// that is neither gets the protocol's error reply. Within a method, <see cref="RpcConnection.Of(RpcRequest)"/> is this
/// connection. Disposing it closes the channel; calls waiting then fail.
/// </remarks>
public sealed partial class RpcConnection : RpcClient
{
    // Requests waiting for a slot, beyond those running, before the connection stops reading (back-pressure).
    private const int MaxWaiting = 1024;

    private readonly RpcResponder? _responder;
    private readonly InboundCalls _inbound;
    private readonly Channel<ReadOnlyMemory<byte>>? _notifications;
    private readonly bool _cancelCallsWhenClosed;
    private readonly SemaphoreSlim? _slots;
    private readonly string? _channelName; // set on a connection of its own (not the server's side of a client)
    private readonly IOrderedReplySource? _replySource; // the server's side of a client
    private readonly int _maxReplySize = int.MaxValue; // a reply over it could not be sent: an error reply goes instead
    private int _waiting;

    /// <summary>
    /// The connection <paramref name="request"/> came over, when it can carry calls the other way: an
    /// <see cref="RpcConnection"/>, or the server's side of a client whose transport keeps it connected
    /// (<see cref="Transports.IDuplexServerTransport"/>). Through it a method calls back, or notifies, the client that
    /// called it. Null over request/reply transports.
    /// </summary>
    public static RpcConnection? Of(RpcRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Connection as RpcConnection;
    }

    /// <summary>Creates a connection over <paramref name="channel"/> and starts receiving.</summary>
    /// <param name="protocol">A protocol that matches replies by id (<see cref="RpcProtocol.SupportsOutOfOrder"/>).</param>
    /// <param name="channel">The channel; the connection owns it.</param>
    /// <param name="dispatcher">Serves the other side's calls; null answers each with "Method not found".</param>
    /// <param name="options">Settings; the defaults when null.</param>
    /// <exception cref="ArgumentException">The protocol cannot match replies by id.</exception>
    public RpcConnection(RpcProtocol protocol, IMessageChannel channel, IRpcDispatcher? dispatcher = null, RpcConnectionOptions? options = null)
        : base(protocol, channel)
    {
        if (!protocol.SupportsOutOfOrder)
        {
            throw new ArgumentException($"The {protocol.Name} protocol cannot match replies by id, which a duplex connection needs.", nameof(protocol));
        }

        options ??= new RpcConnectionOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConcurrency, 1);
        _responder = new RpcResponder(protocol, dispatcher ?? new RpcDispatcher()) { Logger = options.Logger };
        Logger = options.Logger;
        _channelName = channel.GetType().Name;
        if (channel is IReplySizeLimit limited)
        {
            _maxReplySize = limited.MaxReplySize;
        }

        _slots = new SemaphoreSlim(options.MaxConcurrency, options.MaxConcurrency);
        _inbound = new InboundCalls(this);
        _cancelCallsWhenClosed = options.CancelCallsWhenClosed;
        _notifications = Channel.CreateBounded<ReadOnlyMemory<byte>>(new BoundedChannelOptions(MaxWaiting) { SingleReader = true, SingleWriter = true });

        // Like the receive loop, the notifications' loop belongs to the connection, not to whatever made it: it runs
        // outside the maker's execution context, or the maker's activity would parent the span of every notification.
        using (ExecutionContext.SuppressFlow())
        {
            _ = Task.Run(StartNotificationsInOrderAsync);
        }

        _servesRequests = true;
        if (Logger is { } logger)
        {
            ClientLog.ConnectionOpened(logger, _channelName);
        }

        StartReceiving();
    }

    // The server's side of one client: the server receives and dispatches its requests, and hands this connection the
    // replies to the calls made through it.
    internal RpcConnection(RpcProtocol protocol, IMessageChannel channel, bool cancelCallsWhenClosed)
        : base(protocol, channel)
    {
        _inbound = new InboundCalls(this);
        _cancelCallsWhenClosed = cancelCallsWhenClosed;
        _replySource = channel as IOrderedReplySource;
        StartReceiving();
    }

    // The other side's requests running now, for its $/cancelRequest; the server's side of a client hands them to the
    // server, which dispatches them.
    internal InboundCalls Inbound => _inbound;

    private protected override void OnReceiveEnded()
    {
        // The server's side of a client is logged by the server, as the client's coming and going.
        if (_channelName is not null && Logger is { } logger)
        {
            ClientLog.ConnectionClosed(logger, _channelName);
        }

        _notifications?.Writer.TryComplete();
        EndStreams();
        if (_cancelCallsWhenClosed)
        {
            _inbound.CancelAll();
        }
    }

    /// <summary>Serves the other side's calls; null for the server's side of a client, whose requests the server dispatches.</summary>
    public IRpcDispatcher? Dispatcher => _responder?.Dispatcher;

    /// <summary>Completes when the connection has ended: the channel closed or the connection was disposed.</summary>
    public Task Completion => ReceiveLoop ?? Task.CompletedTask;

    private protected override ValueTask<bool> TryServeAsync(ReadOnlyMemory<byte> message) => Protocol.Classify(message.Span) switch
    {
        RpcMessageKind.Reply => new(false),
        RpcMessageKind.Notification => QueueNotificationAsync(message),
        _ => ServeAsync(message),
    };

    private async ValueTask<bool> QueueNotificationAsync(ReadOnlyMemory<byte> message)
    {
        if (ConnectionStreams.IsConnectionNotification(Protocol, message))
        {
            // The connection's own ($/progress, $/cancelRequest, $/enumerator/abort) start at once, here, in no slot:
            // the methods holding every slot may be waiting for them, and behind the other notifications they would
            // wait for a slot those hold. Counted in the order they came: a reply then says how many came before it.
            Interlocked.Increment(ref _notificationsQueued);
            _ = AnswerAsync(message, holdsSlot: false); // runs until its first wait
            NotificationStarted();
            return true;
        }

        // Bounded: a peer that floods notifications faster than they start is read no further until they catch up.
        await _notifications!.Writer.WriteAsync(message, Disposing).ConfigureAwait(false);
        return true;
    }

    // Notifications start in the order they came: each runs until its first wait before the next starts (as
    // StreamJsonRpc does), so events reach the methods in order. Requests are not held back by them, and run
    // concurrently.
    private async Task StartNotificationsInOrderAsync()
    {
        try
        {
            await foreach (ReadOnlyMemory<byte> message in _notifications!.Reader.ReadAllAsync(Disposing).ConfigureAwait(false))
            {
                await _slots!.WaitAsync(Disposing).ConfigureAwait(false);
                _ = AnswerAsync(message);
            }
        }
        catch (OperationCanceledException)
        {
            // The connection was disposed.
        }
    }

    private async ValueTask<bool> ServeAsync(ReadOnlyMemory<byte> message)
    {
        if (!_slots!.Wait(0))
        {
            if (Volatile.Read(ref _waiting) < MaxWaiting)
            {
                // Waits for its slot off the receive loop, which goes on reading: the methods holding every slot may
                // be waiting for replies to calls of their own. Waiters get slots in the order they came.
                Interlocked.Increment(ref _waiting);
                _ = WaitThenAnswerAsync(message);
                return true;
            }

            // Back-pressure: with so many waiting, the connection reads nothing more until one has a slot.
            await _slots.WaitAsync(Disposing).ConfigureAwait(false);
        }

        ThreadPool.UnsafeQueueUserWorkItem(static state => _ = state.connection.AnswerAsync(state.message), (connection: this, message), preferLocal: false);
        return true;
    }

    private async Task WaitThenAnswerAsync(ReadOnlyMemory<byte> message)
    {
        try
        {
            await _slots!.WaitAsync(Disposing).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return; // the connection was disposed
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }

        await AnswerAsync(message).ConfigureAwait(false);
    }

    private async Task AnswerAsync(ReadOnlyMemory<byte> message, bool holdsSlot = true)
    {
        try
        {
            RpcReply reply = await _responder!.RespondAsync(message, this, _maxReplySize, _inbound, Disposing).ConfigureAwait(false);

            // Once the connection is being disposed it sends no more replies: the methods its disposal cancelled would
            // otherwise answer "canceled" just before the channel closes, and a call waiting on the other side must
            // fail as the connection ends, not with that error. A reply that passed this check before disposal began
            // may still go out.
            if (!reply.Message.IsEmpty && !Disposing.IsCancellationRequested)
            {
                await SendOverChannelAsync(reply.Message, reply.IsOwned).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is RpcTransportException or IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // The connection is going: the reply has nowhere to go.
        }
        finally
        {
            if (holdsSlot)
            {
                _slots!.Release();
            }
        }
    }
}
