using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Transports;

namespace TinyRpc.Client;

/// <summary>
/// Calls methods on a server through a protocol and a transport (tinyrpc's <c>RPCClient</c>).
/// Safe for concurrent use. Over a full-duplex transport with a protocol that supports out-of-order
/// replies, many calls are outstanding at once on one connection and replies are matched by id.
/// </summary>
public partial class RpcClient : IAsyncDisposable, IDisposable
{
    private readonly PendingCallTable _pending = new();
    private readonly IMessageChannel? _channel;
    private readonly IOwnedMessageSender? _ownedSender;
    private readonly IBatchingMessageSender? _batchingSender;
    private readonly IInlineMessageReceiver? _inlineReceiver;
    private readonly CancellationTokenSource _disposed = new();
    private readonly Lock _gate = new();
    private Task? _receiveLoop;
    private protected bool _servesRequests; // set by RpcConnection: incoming messages may be requests
    private Timer? _timeoutSweep;
    private readonly Stack<CancellationTokenSource> _exchangeTimeouts = new();
    private const int MaxPooledExchangeTimeouts = 16;
    private long _timeoutSweepPeriod;

    /// <summary>Creates a client over a request/reply transport: HTTP, ZeroMQ REQ, RabbitMQ.</summary>
    public RpcClient(RpcProtocol protocol, IClientTransport transport)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        ArgumentNullException.ThrowIfNull(transport);
        Protocol = protocol;
        Transport = transport;
        _channel = protocol.SupportsOutOfOrder ? transport as IMessageChannel : null;
        _ownedSender = _channel as IOwnedMessageSender;
        _batchingSender = _channel as IBatchingMessageSender;
        _inlineReceiver = _channel as IInlineMessageReceiver;
        _pending.Abandoned = SendCancelRequest;
        _batchingSender?.OnWriteFailed(FailCalls);
    }

    /// <summary>
    /// Creates a client over a full-duplex channel: TCP, named pipes, WebSocket, ZeroMQ DEALER, in memory. When the
    /// protocol matches replies by id (<see cref="RpcProtocol.SupportsOutOfOrder"/>), many calls are outstanding at
    /// once; otherwise calls take turns through a <see cref="ChannelClientTransport"/>. The client owns the channel.
    /// </summary>
    public RpcClient(RpcProtocol protocol, IMessageChannel channel)
        : this(protocol, new ChannelClientTransport(channel))
    {
        if (protocol.SupportsOutOfOrder)
        {
            _channel = channel;
            _ownedSender = channel as IOwnedMessageSender;
            _batchingSender = channel as IBatchingMessageSender;
            _inlineReceiver = channel as IInlineMessageReceiver;
            _batchingSender?.OnWriteFailed(FailCalls);
        }
    }

    // A failed write may have taken with it calls that nobody waits on (those sent soon, in a batch), and the stream
    // may hold part of a frame: every call waiting fails now, and every later one at once, whatever the receive loop
    // is doing.
    private void FailCalls(Exception writeFailure)
        => _pending.Close(new RpcTransportException("A write on the connection failed: " + writeFailure.Message, writeFailure));

    /// <summary>The protocol.</summary>
    public RpcProtocol Protocol { get; }

    /// <summary>
    /// The transport. For a client over a channel, a <see cref="ChannelClientTransport"/> over it: do not use it to send
    /// while the client matches replies by id, since the client reads every message the channel receives.
    /// </summary>
    public IClientTransport Transport { get; }

    /// <summary>How long a call waits for its reply; <see cref="Timeout.InfiniteTimeSpan"/> to wait forever. 100 seconds by default.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>
    /// Where a connection that failed (its receive loop ended with an error other than being closed or disposed) is
    /// logged, as a warning; for an <see cref="RpcConnection"/>, also its opening and closing. None by default.
    /// docs/logging.md lists the events.
    /// </summary>
    public ILogger? Logger { get; set; }

    /// <summary>The number of calls awaiting a reply on a full-duplex transport.</summary>
    public int PendingCalls => _pending.Count;

    /// <summary>Calls <paramref name="method"/> and returns its result as <typeparamref name="TResult"/>.</summary>
    /// <exception cref="RpcException">
    /// The server answered with an error: the protocol's exception with the server's code. Thrown even when
    /// <see cref="RpcProtocol.RaisesErrors"/> is false, since a typed call has no other way to report it.
    /// </exception>
    /// <exception cref="UnexpectedIdException">Over a transport that carries one exchange at a time, the reply's id is not the request's.</exception>
    /// <exception cref="BadReplyException">The reply cannot be read, or its result is not a <typeparamref name="TResult"/>.</exception>
    /// <exception cref="Exceptions.RpcTransportException">The request could not be delivered or the connection failed.</exception>
    /// <exception cref="TimeoutException">No reply came within <see cref="Timeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<TResult> CallAsync<TResult>(string method, IReadOnlyList<object?>? args = null,
        IReadOnlyDictionary<string, object?>? kwargs = null, CancellationToken cancellationToken = default)
        => SendAsync<TResult>(Protocol.CreateRequest(method, args, kwargs), cancellationToken);

    /// <summary>Calls <paramref name="method"/> with positional arguments and returns its result.</summary>
    public Task<TResult> CallAsync<TResult>(string method, params object?[] args)
        => CallAsync<TResult>(method, args, null, CancellationToken.None);

    /// <summary>Calls <paramref name="method"/> and waits for it to complete, ignoring the result.</summary>
    /// <exception cref="RpcException">
    /// The server answered with an error. Thrown even when <see cref="RpcProtocol.RaisesErrors"/> is false: a call
    /// without a result has no other way to report it.
    /// </exception>
    /// <exception cref="TimeoutException">No reply came within <see cref="Timeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task CallAsync(string method, IReadOnlyList<object?>? args = null,
        IReadOnlyDictionary<string, object?>? kwargs = null, CancellationToken cancellationToken = default)
    {
        RpcResponse? response = await SendAsync(Protocol.CreateRequest(method, args, kwargs), cancellationToken).ConfigureAwait(false);
        if (response is RpcErrorResponse error)
        {
            throw Protocol.RaiseError(error);
        }
    }

    /// <summary>Calls <paramref name="method"/> and blocks until its result arrives (tinyrpc's <c>call</c>).</summary>
    /// <exception cref="RpcException">The server answered with an error.</exception>
    public TResult Call<TResult>(string method, IReadOnlyList<object?>? args = null, IReadOnlyDictionary<string, object?>? kwargs = null)
        => CallAsync<TResult>(method, args, kwargs).GetAwaiter().GetResult();

    /// <summary>Sends a notification: no id, no reply awaited (tinyrpc's <c>call(..., one_way=True)</c>).</summary>
    public Task NotifyAsync(string method, IReadOnlyList<object?>? args = null,
        IReadOnlyDictionary<string, object?>? kwargs = null, CancellationToken cancellationToken = default)
        => SendAsync(Protocol.CreateRequest(method, args, kwargs, oneWay: true), cancellationToken);

    /// <summary>Sends <paramref name="request"/> and returns its result as <typeparamref name="TResult"/>.</summary>
    public async Task<TResult> SendAsync<TResult>(RpcRequest request, CancellationToken cancellationToken = default)
        => ResultOf<TResult>(await SendRequestAsync(request, cancellationToken).ConfigureAwait(false));

    // The result of a typed call: default for a notification, the error thrown.
    internal TResult ResultOf<TResult>(RpcResponse? response)
    {
        if (response is null)
        {
            return default!;
        }

        if (response is RpcErrorResponse error)
        {
            // A typed call has no place for a returned error: it throws even when RaisesErrors is false.
            throw Protocol.RaiseError(error);
        }

        return response.GetResult<TResult>();
    }

    /// <summary>
    /// Sends <paramref name="request"/> and returns the response (null for a notification). An error response is
    /// thrown when the protocol's <see cref="RpcProtocol.RaisesErrors"/> is true (tinyrpc's <c>raises_errors</c>) and
    /// returned when it is false.
    /// </summary>
    /// <exception cref="RpcException">The server answered with an error and <see cref="RpcProtocol.RaisesErrors"/> is true.</exception>
    /// <exception cref="UnexpectedIdException">Over a transport that carries one exchange at a time, the reply's id is not the request's.</exception>
    /// <exception cref="BadReplyException">The reply cannot be read.</exception>
    /// <exception cref="Exceptions.RpcTransportException">The request could not be delivered or the connection failed.</exception>
    public async Task<RpcResponse?> SendAsync(RpcRequest request, CancellationToken cancellationToken = default)
    {
        RpcResponse? response = await SendRequestAsync(request, cancellationToken).ConfigureAwait(false);
        if (response is RpcErrorResponse error && Protocol.RaisesErrors)
        {
            throw Protocol.RaiseError(error);
        }

        return response;
    }

    // Where every single request goes. There are two ways, one per kind of transport: over a duplex channel the
    // reply is matched by id among the calls outstanding (CallOverChannel, NotifyOverChannelAsync); over a
    // request/reply transport the transport carries the exchange (ExchangeAsync). The internal steps return pooled
    // ValueTasks, awaited once each: a call allocates one state machine (the public Task's) instead of one per step.
    internal ValueTask<RpcResponse?> SendRequestAsync(RpcRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        return IsObserved ? SendObservedAsync(request, cancellationToken) : SendUnobservedAsync(request, cancellationToken);
    }

    private ValueTask<RpcResponse?> SendUnobservedAsync(RpcRequest request, CancellationToken cancellationToken)
    {
        if (_channel is null)
        {
            return ExchangeAsync(Transport, request, cancellationToken);
        }

        return request.OneWay ? NotifyOverChannelAsync(request, cancellationToken) : CallOverChannel(request, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<RpcResponse?> ExchangeAsync(IClientTransport transport, RpcRequest request, CancellationToken cancellationToken)
    {
        RpcMessage? reply = await ExchangeAsync(transport, request, !request.OneWay, cancellationToken).ConfigureAwait(false);
        return reply is null ? null : MatchSingle(reply, request.Id);
    }

    // The reply of an exchange that carries one request (HTTP, ZeroMQ REQ, a call to its own transport) answers that
    // request: its id must be the request's. An error with a null id is the server saying it could not read the
    // request (a parse error, an invalid request); on this exchange it can only be about this request.
    private static RpcResponse MatchSingle(RpcMessage reply, RpcId id) => reply switch
    {
        RpcResponse response when response.Id == id => response,
        RpcErrorResponse { Id.Kind: RpcIdKind.Null or RpcIdKind.None } error => error,
        RpcResponse response => throw new UnexpectedIdException(id, response.Id),
        _ => throw new InvalidReplyException("A single request was answered with a batch."),
    };

    /// <summary>
    /// Runs <paramref name="calls"/> in parallel, each on its own transport when it is an <see cref="RpcCallTo"/>
    /// (tinyrpc's <c>call_all</c>), and returns their responses in order. Error responses are returned, not thrown.
    /// </summary>
    public async Task<RpcResponse[]> CallAllAsync(IEnumerable<RpcCall> calls, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(calls);
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        Task<RpcResponse>[] tasks = calls.Select(async call =>
        {
            RpcRequest request = Protocol.CreateRequest(call.Method, call.Args, call.Kwargs);
            RpcResponse? response = call is RpcCallTo to && !ReferenceEquals(to.Transport, Transport)
                ? await ExchangeAsync(to.Transport, request, cancellationToken).ConfigureAwait(false)
                : await SendRequestAsync(request, cancellationToken).ConfigureAwait(false);
            return response!;
        }).ToArray();
        return await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends <paramref name="calls"/> as one batch message and returns the responses in call order
    /// (the protocol must be an <see cref="RpcBatchProtocol"/>). Error responses are returned, not thrown.
    /// </summary>
    /// <exception cref="NotSupportedException">The protocol has no batches.</exception>
    public async Task<RpcResponse[]> BatchCallAsync(IEnumerable<RpcCall> calls, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(calls);
        if (Protocol is not RpcBatchProtocol batchProtocol)
        {
            throw new NotSupportedException($"The {Protocol.Name} protocol does not support batches.");
        }

        RpcRequest[] requests = calls.Select(c => Protocol.CreateRequest(c.Method, c.Args, c.Kwargs)).ToArray();
        RpcBatchRequest batch = batchProtocol.CreateBatchRequest(requests);
        RpcId[] ids = requests.Select(static r => r.Id).ToArray();
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        RpcMessage? reply = _channel is not null
            ? new ClientBatchResponse(await CallBatchOverChannelAsync(batch, ids, cancellationToken).ConfigureAwait(false))
            : await ExchangeAsync(Transport, batch, expectReply: true, cancellationToken).ConfigureAwait(false);
        IEnumerable<RpcResponse> responses = reply switch
        {
            RpcBatchResponse many => many,
            RpcResponse one => [one],
            _ => [],
        };

        var byId = new Dictionary<RpcId, RpcResponse>();
        RpcErrorResponse? unmatched = null;
        foreach (RpcResponse response in responses)
        {
            if (response.Id.Kind is RpcIdKind.Null or RpcIdKind.None)
            {
                unmatched = response as RpcErrorResponse;
            }
            else if (Array.IndexOf(ids, response.Id) < 0)
            {
                throw new UnexpectedIdException(RpcId.None, response.Id);
            }
            else
            {
                byId[response.Id] = response;
            }
        }

        return ids.Select(id => byId.TryGetValue(id, out RpcResponse? r) ? r
            : unmatched ?? throw new InvalidReplyException($"The batch reply has no response for id {id}.")).ToArray();
    }

    /// <summary>
    /// Returns a proxy that turns member calls into RPC calls, with <paramref name="prefix"/> before each name
    /// (tinyrpc's <c>get_proxy</c>); with <paramref name="oneWay"/> every call is a notification.
    /// </summary>
    public RpcProxy GetProxy(string prefix = "", bool oneWay = false) => new(this, prefix, oneWay);

    /// <summary>
    /// Returns the generated typed proxy of the <see cref="RpcServiceAttribute"/> interface <typeparamref name="TService"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">No proxy was generated for <typeparamref name="TService"/>.</exception>
    public TService GetProxy<TService>(string prefix = "", bool oneWay = false)
        where TService : class
        => RpcProxyRegistry.TryCreateProxy(this, prefix, oneWay, out TService proxy)
            ? proxy
            : throw new InvalidOperationException($"No proxy was generated for {typeof(TService).Name}: mark the interface [RpcService] and reference the TinyRpc generator.");

    // One exchange over a request/reply transport. Over a duplex channel no call comes here: there one timer per
    // client fails overdue calls, and disposing the client fails every waiter through the receive loop.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<RpcMessage?> ExchangeAsync(IClientTransport transport, RpcMessage message, bool expectReply, CancellationToken cancellationToken)
    {
        // A caller without a token of its own (the common case) gets a pooled source linked to the client's disposal
        // only: no linked source and timer made per exchange.
        bool pooled = !cancellationToken.CanBeCanceled;
        CancellationTokenSource? timeout = Timeout == System.Threading.Timeout.InfiniteTimeSpan || !expectReply
            ? null
            : pooled ? RentExchangeTimeout() : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        timeout?.CancelAfter(Timeout);
        CancellationToken token = timeout?.Token ?? cancellationToken;

        try
        {
            ReadOnlyMemory<byte> reply = await transport.SendMessageAsync(message.Serialize(), expectReply, token).ConfigureAwait(false);
            return expectReply ? Protocol.ParseReply(reply) : null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && timeout is not null && timeout.IsCancellationRequested && !_disposed.IsCancellationRequested)
        {
            throw TimedOut();
        }
        finally
        {
            if (timeout is not null)
            {
                if (pooled)
                {
                    ReturnExchangeTimeout(timeout);
                }
                else
                {
                    timeout.Dispose();
                }
            }
        }
    }

    // Sources linked to the client's disposal, reused by exchanges whose caller has no token. One that fired is not
    // reused; TryReset stops its timer and drops what the transport registered on it.
    private CancellationTokenSource RentExchangeTimeout()
    {
        lock (_exchangeTimeouts)
        {
            if (_exchangeTimeouts.TryPop(out CancellationTokenSource? source))
            {
                return source;
            }
        }

        return CancellationTokenSource.CreateLinkedTokenSource(_disposed.Token);
    }

    private void ReturnExchangeTimeout(CancellationTokenSource source)
    {
        if (source.TryReset())
        {
            lock (_exchangeTimeouts)
            {
                if (_exchangeTimeouts.Count < MaxPooledExchangeTimeouts)
                {
                    _exchangeTimeouts.Push(source);
                    return;
                }
            }
        }

        source.Dispose();
    }

    private TimeoutException TimedOut() => new($"No reply within {Timeout.TotalSeconds:0.###} s.");

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<RpcResponse?> NotifyOverChannelAsync(RpcRequest notification, CancellationToken cancellationToken)
    {
        // The connection is shared: a cancelled caller stops waiting, it does not cut a message in half.
        await Send(notification).AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
        return null;
    }

    // A batch over the channel: one waiter per member, each completed by the member's reply (wherever it comes in
    // the batch reply) or by the batch's unattributed error.
    private async Task<RpcResponse[]> CallBatchOverChannelAsync(RpcBatchRequest batch, RpcId[] ids, CancellationToken cancellationToken)
    {
        EnsureReceiving();
        var waiters = new ReplyWaiter?[ids.Length];
        try
        {
            long deadline = NextDeadline();
            for (int i = 0; i < ids.Length; i++)
            {
                waiters[i] = _pending.Add(ids[i], deadline, cancellationToken);
                waiters[i]!.Batch = ids;
            }

            await Send(batch).AsTask().WaitAsync(Timeout, cancellationToken).ConfigureAwait(false);
            var responses = new RpcResponse[ids.Length];
            for (int i = 0; i < ids.Length; i++)
            {
                ReplyWaiter waiter = waiters[i]!;
                waiters[i] = null; // its outcome is read below, whatever it is
                responses[i] = await waiter.AsValueTask().ConfigureAwait(false);
            }

            return responses;
        }
        catch (TimeoutException) when (!cancellationToken.IsCancellationRequested)
        {
            throw TimedOut();
        }
        finally
        {
            for (int i = 0; i < ids.Length; i++)
            {
                if (waiters[i] is { } left && _pending.TryTake(ids[i], left))
                {
                    left.Recycle();
                }
            }
        }
    }

    /// <summary>Takes an incoming message that is a request (an <see cref="RpcConnection"/> serves it); false for a reply.</summary>
    private protected virtual ValueTask<bool> TryServeAsync(ReadOnlyMemory<byte> message) => new(false);

    /// <summary>Starts the receive loop now, instead of at the first call.</summary>
    private protected void StartReceiving() => EnsureReceiving();

    /// <summary>The receive loop, once started: it ends when the channel closes or the client is disposed.</summary>
    private protected Task? ReceiveLoop => _receiveLoop;

    /// <summary>Ends when the client is disposed.</summary>
    private protected CancellationToken Disposing => _disposed.Token;

    /// <summary>Sends bytes over the channel; without a copy when they are <paramref name="owned"/> and the channel can keep them.</summary>
    private protected ValueTask SendOverChannelAsync(ReadOnlyMemory<byte> bytes, bool owned)
        => owned && _ownedSender is not null
            ? _ownedSender.SendOwnedAsync(bytes, CancellationToken.None)
            : _channel!.SendAsync(bytes, CancellationToken.None);

    private void EnsureReceiving()
    {
        if (_receiveLoop is not null)
        {
            return;
        }

        lock (_gate)
        {
            if (_receiveLoop is null)
            {
                // The loop belongs to the connection, not to the call that happens to start it: run outside that
                // call's execution context, or its activity would parent every span the loop's requests make.
                using (ExecutionContext.SuppressFlow())
                {
                    _receiveLoop = Task.Run(ReceiveLoopAsync);
                }
            }
        }
    }

    private async Task ReceiveLoopAsync()
    {
        Exception? error = null;
        try
        {
            while (!_disposed.IsCancellationRequested)
            {
                // In memory, this loop may run on the thread that sends the reply: it only parses and hands on.
                ReadOnlyMemory<byte>? message = _inlineReceiver is not null
                    ? await _inlineReceiver.ReceiveInlineAsync(_disposed.Token).ConfigureAwait(false)
                    : await _channel!.ReceiveAsync(_disposed.Token).ConfigureAwait(false);
                if (message is null)
                {
                    error = new RpcTransportException("The connection was closed by the other side.");
                    break;
                }

                if (_servesRequests && await TryServeAsync(message.Value).ConfigureAwait(false))
                {
                    continue;
                }

                RpcMessage reply;
                try
                {
                    reply = Protocol.ParseReply(message.Value);
                }
                catch (BadReplyException e)
                {
                    // A reply that cannot be read cannot be matched either: it may belong to any waiting call, and
                    // the one it answers would otherwise wait for its timeout.
                    _pending.FailAll(e);
                    continue;
                }

                switch (reply)
                {
                    case RpcErrorResponse { Id.Kind: RpcIdKind.Null or RpcIdKind.None } unattributed:
                        // The server could not read one of the messages sent on this connection and could not tell
                        // which. Every call waiting now may be that one; waiting on would hang it until its timeout.
                        _pending.CompleteAll(unattributed);
                        break;
                    case RpcResponse response:
                        OnReply(response);
                        Complete(response);
                        break;
                    case RpcBatchResponse batch:
                        CompleteBatch(batch);
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
            error = new ObjectDisposedException(nameof(RpcClient));
        }
        catch (Exception e)
        {
            error = e is RpcTransportException ? e : new RpcTransportException("The connection failed: " + e.Message, e);
            if (Logger is { } logger && logger.IsEnabled(LogLevel.Warning))
            {
                ClientLog.ConnectionFailed(logger, _channel!.GetType().Name, e);
            }
        }

        // Calls registered from now on fail at once; those waiting fail here.
        _pending.Close(error ?? new ObjectDisposedException(nameof(RpcClient)));
        OnReceiveEnded();
    }

    /// <summary>Called on the receive loop with each reply, before the call it answers completes.</summary>
    private protected virtual void OnReply(RpcResponse response)
    {
    }

    /// <summary>Called once the receive loop has ended: the channel closed, failed, or the client was disposed.</summary>
    private protected virtual void OnReceiveEnded()
    {
    }

    // An error with a null id inside a batch reply is the server saying it could not read a member of that batch:
    // it answers the calls of the batch that the reply leaves without a response. When no member of the reply
    // names a waiting call, the batch cannot be told, and the error goes to every waiting call.
    private void CompleteBatch(RpcBatchResponse batch)
    {
        RpcId[]? ids = null;
        RpcErrorResponse? unattributed = null;
        foreach (RpcResponse response in batch)
        {
            if (response is RpcErrorResponse { Id.Kind: RpcIdKind.Null or RpcIdKind.None } error)
            {
                unattributed ??= error;
            }
            else if (_pending.TryTake(response.Id, out ReplyWaiter? waiter))
            {
                ids ??= waiter.Batch; // read before completing: a completed waiter may be reused at once
                waiter.SetResult(response);
            }
        }

        if (unattributed is null)
        {
            return;
        }

        if (ids is null)
        {
            _pending.CompleteAll(unattributed);
            return;
        }

        foreach (RpcId id in ids)
        {
            if (_pending.TryTake(id, out ReplyWaiter? left))
            {
                left.SetResult(unattributed);
            }
        }
    }

    private void Complete(RpcResponse response)
    {
        if (_pending.TryTake(response.Id, out ReplyWaiter? waiter))
        {
            waiter.SetResult(response);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (!_disposed.IsCancellationRequested)
        {
            await _disposed.CancelAsync().ConfigureAwait(false);
        }

        if (_receiveLoop is not null)
        {
            try
            {
                await _receiveLoop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        if (Transport is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync().ConfigureAwait(false);
        }
        else if (Transport is IDisposable disposable)
        {
            disposable.Dispose();
        }

        if (_timeoutSweep is not null)
        {
            await _timeoutSweep.DisposeAsync().ConfigureAwait(false);
        }

        _disposed.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        DisposeAsync().AsTask().GetAwaiter().GetResult();
        GC.SuppressFinalize(this);
    }

    // One call over the channel: the pooled waiter is awaited directly (no state machine when the send completes at
    // once), and whoever completes it (the receive loop, the timeout sweep, the cancellation callback, a failed
    // connection) takes it off the pending table first.
    private ValueTask<RpcResponse?> CallOverChannel(RpcRequest request, CancellationToken cancellationToken)
    {
        EnsureReceiving();
        RpcId id = request.Id;
        ReplyWaiter waiter = _pending.Add(id, NextDeadline(), cancellationToken, out bool othersOutstanding);
        ValueTask send;
        try
        {
            if (othersOutstanding && _batchingSender is not null)
            {
                // More calls are on their way or waiting: this one joins the next write instead of making its own.
                // Nothing to wait for here: a failed write fails every call waiting (FailCalls), this one too.
                _batchingSender.SendSoon(request.Serialize());
                return waiter.AsValueTask()!;
            }

            // The connection is shared by every call: cancelling this one must not abort the write (on a
            // WebSocket that closes the socket, on a stream it leaves half a frame). The wait is bounded below.
            send = Send(request);
        }
        catch
        {
            if (_pending.TryTake(id, waiter))
            {
                waiter.Recycle();
            }

            throw;
        }

        if (send.IsCompletedSuccessfully)
        {
            send.GetAwaiter().GetResult();
            return waiter.AsValueTask()!; // RpcResponse as RpcResponse?: the same task, never null
        }

        return AwaitSendThenReplyAsync(send, waiter, id, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<RpcResponse?> AwaitSendThenReplyAsync(ValueTask send, ReplyWaiter waiter, RpcId id, CancellationToken cancellationToken)
    {
        try
        {
            await send.AsTask().WaitAsync(Timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            if (_pending.TryTake(id, waiter))
            {
                waiter.Recycle();
            }

            if (e is TimeoutException && !cancellationToken.IsCancellationRequested)
            {
                throw TimedOut();
            }

            throw;
        }

        return await waiter.AsValueTask().ConfigureAwait(false);
    }

    // Sends a message. The bytes of a request built here are never written again, so a channel that can keep them
    // takes them as they are instead of copying them; a request parsed from someone else's buffer is copied.
    private ValueTask Send(RpcMessage message)
        => _ownedSender is not null && message.OwnsSerializedBytes
            ? _ownedSender.SendOwnedAsync(message.Serialize(), CancellationToken.None)
            : _channel!.SendAsync(message.Serialize(), CancellationToken.None);

    private long NextDeadline()
    {
        // A timeout beyond any deadline the tick count can express (TimeSpan.MaxValue, say) waits forever.
        long deadline = Timeout == System.Threading.Timeout.InfiniteTimeSpan || Timeout.TotalMilliseconds >= long.MaxValue / 4
            ? long.MaxValue
            : Environment.TickCount64 + (long)Timeout.TotalMilliseconds;
        if (deadline != long.MaxValue)
        {
            EnsureTimeoutSweep();
        }

        return deadline;
    }

    // Fails the calls whose reply is overdue. One timer per client, instead of one per call, checks the deadlines
    // about ten times per timeout, so a call gives up at most about a tenth of its timeout late.
    private void EnsureTimeoutSweep()
    {
        long period = Math.Clamp((long)Timeout.TotalMilliseconds / 10, 10, 1000);
        if (_timeoutSweep is not null && Volatile.Read(ref _timeoutSweepPeriod) <= period)
        {
            return;
        }

        lock (_gate)
        {
            if (_timeoutSweep is null)
            {
                // Not in the execution context of the call that happens to make it, whose activity it would keep.
                using (ExecutionContext.SuppressFlow())
                {
                    _timeoutSweep = new Timer(static state => ((RpcClient)state!).SweepTimeouts(), this, period, period);
                }
            }
            else if (period < _timeoutSweepPeriod)
            {
                _timeoutSweep.Change(period, period);
            }
            else
            {
                return;
            }

            Volatile.Write(ref _timeoutSweepPeriod, period);
        }
    }

    private void SweepTimeouts()
    {
        if (_pending.TakeOverdue(Environment.TickCount64) is { } overdue)
        {
            foreach (ReplyWaiter waiter in overdue)
            {
                RpcId id = waiter.Id; // read before completing: a completed waiter may be reused at once
                waiter.SetException(TimedOut());
                _pending.Abandoned?.Invoke(id);
            }
        }
    }

    // A call given up on over a channel (cancelled, timed out) may still be running on the other side: ask it to
    // stop ($/cancelRequest). The call itself has already ended here; this message is best effort.
    private void SendCancelRequest(RpcId id)
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        _ = SendCancelRequestAsync(id);
    }

    private async Task SendCancelRequestAsync(RpcId id)
    {
        try
        {
            await Send(Protocol.CreateCancelRequest(id)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RpcTransportException or IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException or NotSupportedException or RpcException)
        {
            // The connection is going, or the protocol cannot write the notification: the call has ended anyway.
        }
    }

    private sealed class ClientBatchResponse(RpcResponse[] responses) : RpcBatchResponse
    {
        protected override IReadOnlyList<RpcResponse> Items => responses;

        public override ReadOnlyMemory<byte> Serialize() => throw new NotSupportedException("Assembled on the client from separate replies.");
    }
}

/// <summary>The client's and the connection's log messages (docs/logging.md).</summary>
internal static partial class ClientLog
{
    [LoggerMessage(EventId = 22, Level = LogLevel.Debug, Message = "Connection opened over {Channel}")]
    public static partial void ConnectionOpened(ILogger logger, string channel);

    [LoggerMessage(EventId = 23, Level = LogLevel.Debug, Message = "Connection over {Channel} closed")]
    public static partial void ConnectionClosed(ILogger logger, string channel);

    [LoggerMessage(EventId = 32, Level = LogLevel.Warning, Message = "The connection over {Channel} failed; the calls waiting on it fail")]
    public static partial void ConnectionFailed(ILogger logger, string channel, Exception exception);
}
