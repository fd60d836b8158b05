using TinyRpc.Protocols;
using TinyRpc.Transports;

namespace TinyRpc;

/// <summary>
/// Observes every message a server receives (<paramref name="direction"/> <c>--&gt;</c>) and every reply it
/// sends (<c>&lt;--</c>), as tinyrpc's <c>trace</c> callback does.
/// </summary>
public delegate void RpcTrace(string direction, object? context, ReadOnlyMemory<byte> message);

/// <summary>Settings of an <see cref="RpcServer"/>.</summary>
public sealed class RpcServerOptions
{
    /// <summary>
    /// The most requests handled at once (tinyrpc's <c>RPCServerGreenlets</c>). 1 handles messages one after
    /// another, as tinyrpc's <c>RPCServer</c> does. The default is 64.
    /// </summary>
    public int MaxConcurrency { get; set; } = 64;

    /// <summary>How long <see cref="RpcServer.ServeForeverAsync"/> waits for requests in flight after it is stopped, before cancelling them.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Receives messages from a transport, dispatches them and sends the replies (tinyrpc's <c>RPCServer</c>;
/// with <see cref="RpcServerOptions.MaxConcurrency"/> above 1, <c>RPCServerGreenlets</c>). A message that cannot be
/// parsed gets the protocol's error reply; nothing a client sends stops the server.
/// </summary>
public class RpcServer
{
    /// <summary>The <see cref="RpcTrace"/> direction of incoming messages.</summary>
    public const string Incoming = "-->";

    /// <summary>The <see cref="RpcTrace"/> direction of outgoing replies.</summary>
    public const string Outgoing = "<--";

    private readonly int _maxConcurrency;
    private readonly TimeSpan _shutdownTimeout;
    private readonly int _maxReplySize;

    /// <summary>Creates a server.</summary>
    public RpcServer(IServerTransport transport, RpcProtocol protocol, RpcDispatcher dispatcher, RpcServerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(protocol);
        ArgumentNullException.ThrowIfNull(dispatcher);
        options ??= new RpcServerOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConcurrency, 1);
        Transport = transport;
        Protocol = protocol;
        Dispatcher = dispatcher;
        _maxConcurrency = options.MaxConcurrency;
        _shutdownTimeout = options.ShutdownTimeout;
        _maxReplySize = transport is IReplySizeLimit limited ? limited.MaxReplySize : int.MaxValue;
    }

    /// <summary>The transport.</summary>
    public IServerTransport Transport { get; }

    /// <summary>The protocol.</summary>
    public RpcProtocol Protocol { get; }

    /// <summary>The dispatcher.</summary>
    public RpcDispatcher Dispatcher { get; }

    /// <summary>Called with every incoming message and outgoing reply; see <see cref="RpcTrace"/>.</summary>
    public RpcTrace? Trace { get; set; }

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

        await HandleAndReplyAsync(message, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Serves until <paramref name="cancellationToken"/> is cancelled or the transport ends (tinyrpc's
    /// <c>serve_forever</c>). On cancellation it stops receiving, lets the requests in flight finish (up to
    /// <see cref="RpcServerOptions.ShutdownTimeout"/>, then cancels them) and returns normally.
    /// </summary>
    public async Task ServeForeverAsync(CancellationToken cancellationToken = default)
    {
        // Not disposed: requests that outlive the shutdown timeout still release their slot and read the token.
        var abort = new CancellationTokenSource();
        var slots = new SemaphoreSlim(_maxConcurrency, _maxConcurrency);
        var inFlight = new InFlightRequests(this, slots, Math.Min(_maxConcurrency, 256), abort.Token);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
                RpcInboundMessage? inbound;
                try
                {
                    // In memory, this loop may run on the thread that sends the request: it only hands the message on.
                    inbound = Transport is InMemoryServerTransport inMemory
                        ? await inMemory.ReceiveInline(cancellationToken).ConfigureAwait(false)
                        : await Transport.ReceiveMessageAsync(cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    slots.Release();
                    throw;
                }

                if (inbound is not { } message)
                {
                    slots.Release();
                    break;
                }

                // With MaxConcurrency 1 the next message is received only once this one has been answered (its slot
                // comes back), so messages are still handled one after another, in order, and the shutdown timeout
                // applies to them as it does to concurrent ones.
                // A pooled thread-pool work item: far cheaper per request than Task.Run with a closure and a
                // continuation to track it, and it runs in the execution context this loop was started in.
                inFlight.Start(message);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // stopping: fall through to drain
        }
        finally
        {
            Task drained = inFlight.StopAsync();
            if (!drained.IsCompleted
                && await Task.WhenAny(drained, Task.Delay(_shutdownTimeout, CancellationToken.None)).ConfigureAwait(false) != drained)
            {
                await abort.CancelAsync().ConfigureAwait(false);
                await Task.WhenAny(drained, Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None)).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Serves until the transport ends, blocking the calling thread (tinyrpc's <c>serve_forever</c>).</summary>
    public void ServeForever() => ServeForeverAsync().GetAwaiter().GetResult();

    /// <summary>
    /// Turns one message into its reply: parse, dispatch, serialize. Returns an empty reply when nothing is to
    /// be sent (notifications). Never throws.
    /// </summary>
    public async ValueTask<ReadOnlyMemory<byte>> HandleMessageAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
        => (await HandleCoreAsync(message, int.MaxValue, cancellationToken).ConfigureAwait(false)).Reply;

    // The reply, and whether its bytes are never written again (a JSON-RPC response's are not), so that the
    // in-memory transport may hand them over without a copy.
    private async ValueTask<(ReadOnlyMemory<byte> Reply, bool Immutable)> HandleCoreAsync(ReadOnlyMemory<byte> message, int maxReplySize, CancellationToken cancellationToken)
    {
        try
        {
            RpcMessage request;
            try
            {
                request = Protocol.ParseRequest(message);
            }
            catch (BadRequestException e)
            {
                return (e.ErrorRespond().Serialize(), false);
            }

            RpcMessage? reply = request is RpcRequest single
                ? await Dispatcher.DispatchAsync(single, cancellationToken).ConfigureAwait(false)
                : await Dispatcher.DispatchAsync(request, cancellationToken).ConfigureAwait(false);
            ReadOnlyMemory<byte> bytes = reply?.Serialize() ?? ReadOnlyMemory<byte>.Empty;
            return bytes.Length > maxReplySize
                ? (ReplyTooLarge(request, bytes.Length, maxReplySize), false)
                : (bytes, reply is JsonRpcSuccessResponse { OwnsBytes: true } or JsonRpcErrorResponse { OwnsBytes: true } or JsonRpcBatchResponse);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Not from the called method (the dispatcher answers those): no details leave the server.
            try
            {
                return (Protocol.CreateErrorResponse(new ServerException()).Serialize(), false);
            }
            catch (Exception)
            {
                return (ReadOnlyMemory<byte>.Empty, false);
            }
        }
    }

    // A reply the transport cannot carry becomes an error for the same request, so that the caller is answered; in a
    // batch, every member that expects a reply gets it (which member made the batch too large is not the point).
    private ReadOnlyMemory<byte> ReplyTooLarge(RpcMessage request, int size, int maxReplySize)
    {
        var error = new RpcException(RpcErrorCodes.InternalError, $"The reply is too large: {size} bytes, and the transport sends at most {maxReplySize}.");
        RpcMessage? reply = request switch
        {
            RpcRequest single => single.ErrorRespond(error),
            RpcBatchRequest batch => batch.CreateBatchResponse(batch.Select(item => item.Request is { } member ? member.ErrorRespond(error) : item.Error!.ErrorRespond())),
            _ => null,
        };
        ReadOnlyMemory<byte> bytes = reply?.Serialize() ?? ReadOnlyMemory<byte>.Empty;

        // A batch of many members may be too large even as errors: then one error, with no id.
        return bytes.Length <= maxReplySize ? bytes : Protocol.CreateErrorResponse(error).Serialize();
    }

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

    private async Task HandleAndReplyAsync(RpcInboundMessage message, CancellationToken cancellationToken)
    {
        Trace?.Invoke(Incoming, message.Context, message.Message);
        (ReadOnlyMemory<byte> reply, bool immutable) = await HandleCoreAsync(message.Message, _maxReplySize, cancellationToken).ConfigureAwait(false);
        Trace?.Invoke(Outgoing, message.Context, reply);
        try
        {
            if (immutable && Transport is InMemoryServerTransport inMemory)
            {
                await inMemory.SendReplyOwned(reply).ConfigureAwait(false);
            }
            else
            {
                await Transport.SendReplyAsync(message.Context, reply, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is RpcTransportException or IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // The requester went away; the reply has nowhere to go and the server carries on.
        }
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

        /// <summary>Counts <paramref name="message"/> in and queues it to the thread pool.</summary>
        public void Start(RpcInboundMessage message)
        {
            Interlocked.Increment(ref _count);
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

        /// <summary>Completes when every request started has finished.</summary>
        public Task StopAsync()
        {
            Leave();
            return _drained.Task;
        }

        private void Leave()
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
