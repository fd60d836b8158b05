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
        using var abort = new CancellationTokenSource();
        using var slots = new SemaphoreSlim(_maxConcurrency, _maxConcurrency);
        var inFlight = new HashSet<Task>();
        var gate = new Lock();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
                RpcInboundMessage? inbound;
                try
                {
                    inbound = await Transport.ReceiveMessageAsync(cancellationToken).ConfigureAwait(false);
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

                if (_maxConcurrency == 1)
                {
                    try
                    {
                        await HandleAndReplyAsync(message, abort.Token).ConfigureAwait(false);
                    }
                    finally
                    {
                        slots.Release();
                    }

                    continue;
                }

                Task task = Task.Run(async () =>
                {
                    try
                    {
                        await HandleAndReplyAsync(message, abort.Token).ConfigureAwait(false);
                    }
                    finally
                    {
                        slots.Release();
                    }
                }, CancellationToken.None);
                lock (gate)
                {
                    inFlight.Add(task);
                }

                _ = task.ContinueWith(t =>
                {
                    lock (gate)
                    {
                        inFlight.Remove(t);
                    }
                }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // stopping: fall through to drain
        }
        finally
        {
            Task[] remaining;
            lock (gate)
            {
                remaining = inFlight.ToArray();
            }

            if (remaining.Length > 0)
            {
                Task all = Task.WhenAll(remaining);
                if (await Task.WhenAny(all, Task.Delay(_shutdownTimeout, CancellationToken.None)).ConfigureAwait(false) != all)
                {
                    await abort.CancelAsync().ConfigureAwait(false);
                    await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None)).ConfigureAwait(false);
                }
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
                return e.ErrorRespond().Serialize();
            }

            RpcMessage? reply = await Dispatcher.DispatchAsync(request, cancellationToken).ConfigureAwait(false);
            return reply?.Serialize() ?? ReadOnlyMemory<byte>.Empty;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Not from the called method (the dispatcher answers those): no details leave the server.
            try
            {
                return Protocol.CreateErrorResponse(new ServerException()).Serialize();
            }
            catch (Exception)
            {
                return ReadOnlyMemory<byte>.Empty;
            }
        }
    }

    private async Task HandleAndReplyAsync(RpcInboundMessage message, CancellationToken cancellationToken)
    {
        Trace?.Invoke(Incoming, message.Context, message.Message);
        ReadOnlyMemory<byte> reply = await HandleMessageAsync(message.Message, cancellationToken).ConfigureAwait(false);
        Trace?.Invoke(Outgoing, message.Context, reply);
        try
        {
            await Transport.SendReplyAsync(message.Context, reply, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RpcTransportException or IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // The requester went away; the reply has nowhere to go and the server carries on.
        }
    }
}
