using NetMQ;
using NetMQ.Sockets;
using TinyRpc.Exceptions;

namespace TinyRpc.Transports;

/// <summary>
/// Client transport on a ZeroMQ REQ socket (tinyrpc's <c>ZmqClientTransport</c>): one exchange at a time.
/// </summary>
/// <remarks>
/// <para>A REQ socket whose reply never comes would wait forever. After <see cref="Timeout"/> without a reply
/// the transport throws an <see cref="RpcTransportException"/>, closes the socket and connects a new one
/// (the "lazy pirate" pattern), so the next call works again once the server is back.</para>
/// <para>A REQ socket must receive a reply for every message it sends, notifications included. TinyRpc's
/// ROUTER server answers a notification with an empty frame; the transport returns from a notification at
/// once and discards that frame before the next exchange. A server that sends nothing for a notification
/// (tinyrpc's Python server) makes the next exchange wait up to <see cref="Timeout"/> and then recreate the
/// socket: use <see cref="ZmqDealerClientTransport"/> for notifications to such servers.</para>
/// <para>The socket is used only on the transport's own poller thread. The transport owns the socket and
/// closes it on <see cref="Dispose"/>.</para>
/// </remarks>
public sealed class ZmqClientTransport : IClientTransport, IDisposable
{
    private readonly ZmqSocketLoop _loop;
    private readonly Func<RequestSocket>? _socketFactory;
    private readonly SemaphoreSlim _exchange = new(1, 1);
    private RequestSocket? _socket;
    private TaskCompletionSource<byte[]>? _reply; // poller thread only
    private TaskCompletionSource<byte[]>? _current; // the exchange under way, for Dispose to fail
    private readonly List<byte[]> _frames = []; // poller thread only
    private CancellationTokenSource _timeoutSource = new(); // under _exchange
    private Task<byte[]>? _owedReply;
    private string? _brokenReason;

    /// <summary>
    /// Sends on <paramref name="socket"/>, a REQ socket already connected to the server. Without
    /// <paramref name="socketFactory"/> the transport cannot recover from a timeout and fails every later call;
    /// with it, it replaces a timed-out socket by a new one from the factory.
    /// </summary>
    public ZmqClientTransport(RequestSocket socket, Func<RequestSocket>? socketFactory = null)
    {
        ArgumentNullException.ThrowIfNull(socket);
        _socketFactory = socketFactory;
        _loop = new ZmqSocketLoop("TinyRpc ZeroMQ REQ client");
        _loop.InvokeAsync(() => Attach(socket)).GetAwaiter().GetResult();
    }

    /// <summary>
    /// Creates a REQ socket connected to <paramref name="endpoint"/> (tinyrpc's <c>create</c>), for example
    /// <c>tcp://127.0.0.1:5001</c>. After a timeout the transport connects a new socket to the same endpoint.
    /// </summary>
    /// <exception cref="RpcTransportException">The endpoint is not valid.</exception>
    public static ZmqClientTransport Create(string endpoint)
    {
        ArgumentException.ThrowIfNullOrEmpty(endpoint);
        return new ZmqClientTransport(Connect(endpoint), () => Connect(endpoint));
    }

    /// <summary>How long an exchange waits for its reply; <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> waits forever. 30 s by default.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Whether each request carries its deadline, <see cref="Timeout"/> from when it is sent, in a frame before the
    /// message, so that a TinyRpc <see cref="ZmqServerTransport"/> does not start it once the deadline has passed and
    /// cancels its method's <see cref="CancellationToken"/> at the deadline. False by default: a server that does not
    /// know the frame (tinyrpc's Python server, any single-frame peer) would take the request for a malformed one. A
    /// TinyRpc server from before this frame existed sends it back before the reply, which the transport ignores.
    /// Servers on other machines need clocks kept in step (NTP): the deadline is an absolute time.
    /// </summary>
    public bool SendsDeadline { get; set; }

    /// <summary>How many times the socket has been replaced after a timeout or a cancelled exchange.</summary>
    public int SocketsRecreated { get; private set; }

    /// <inheritdoc/>
    /// <exception cref="RpcTransportException">No reply came within <see cref="Timeout"/>, or the socket could not be recreated.</exception>
    public async ValueTask<ReadOnlyMemory<byte>> SendMessageAsync(ReadOnlyMemory<byte> message, bool expectReply = true, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_loop.IsDisposed, this);
        await _exchange.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_brokenReason is not null)
            {
                throw new RpcTransportException(_brokenReason);
            }

            if (_owedReply is not null)
            {
                await DiscardOwedReplyAsync(cancellationToken).ConfigureAwait(false);
            }

            byte[] bytes = message.ToArray();
            byte[]? deadline = SendsDeadline && expectReply ? ZmqDeadline.Frame(Timeout) : null;
            var pending = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
            Task<byte[]> reply = pending.Task;
            if (expectReply)
            {
                // The send is posted, not awaited: a send that fails fails the reply, so the caller waits for one
                // hand-off back instead of two. The poller runs posted work in order, so a socket replaced after a
                // timeout or a cancellation is replaced after this send.
                _current = pending;
                _loop.Post(() =>
                {
                    try
                    {
                        if (SendOnLoop(pending, bytes, deadline) is { } error)
                        {
                            pending.TrySetException(error);
                        }
                    }
                    catch (Exception e)
                    {
                        // Nobody observes a posted action: whatever it throws must reach the caller, who waits on pending.
                        pending.TrySetException(new RpcTransportException("The ZeroMQ REQ socket cannot send: " + e.Message, e));
                    }
                });
            }
            else
            {
                await _loop.InvokeAsync(() =>
                {
                    if (SendOnLoop(pending, bytes, deadline) is { } error)
                    {
                        throw error;
                    }
                }).ConfigureAwait(false);
            }

            if (!expectReply)
            {
                _owedReply = reply;
                return ReadOnlyMemory<byte>.Empty;
            }

            try
            {
                byte[] answer = await WaitForReplyAsync(pending, cancellationToken).ConfigureAwait(false);
                if (deadline is not null && answer.Length == 0)
                {
                    // A TinyRpc server answers a request it gave up on at its deadline with an empty frame, as it does a
                    // notification: the deadline passed there a moment before the timeout here.
                    throw new RpcTransportException(
                        $"No reply within {Timeout.TotalSeconds:0.###} s on the ZeroMQ REQ socket: the server gave up on the request at its deadline.");
                }

                return answer;
            }
            catch (TimeoutException e)
            {
                await RecreateAsync().ConfigureAwait(false);
                throw new RpcTransportException(
                    $"No reply within {Timeout.TotalSeconds:0.###} s on the ZeroMQ REQ socket; " +
                    (_brokenReason is null ? "the socket was replaced by a new one." : "the socket was closed."), e);
            }
            catch (OperationCanceledException)
            {
                await RecreateAsync().ConfigureAwait(false);
                throw;
            }
        }
        catch (ObjectDisposedException e) when (e.ObjectName == nameof(ZmqSocketLoop))
        {
            throw new ObjectDisposedException(nameof(ZmqClientTransport), e.Message);
        }
        finally
        {
            _exchange.Release();
        }
    }

    /// <summary>
    /// The reply, or a <see cref="TimeoutException"/> after <see cref="Timeout"/>, or the cancellation. Exchanges take turns,
    /// so one timeout source serves them all, reset after each: no timer or task is made per exchange.
    /// </summary>
    private async Task<byte[]> WaitForReplyAsync(TaskCompletionSource<byte[]> pending, CancellationToken cancellationToken)
    {
        TimeSpan timeout = Timeout;
        if (timeout == System.Threading.Timeout.InfiniteTimeSpan && !cancellationToken.CanBeCanceled)
        {
            return await pending.Task.ConfigureAwait(false);
        }

        CancellationTokenSource timer = _timeoutSource;
        using CancellationTokenRegistration cancelled = cancellationToken.UnsafeRegister(
            static (state, token) => ((TaskCompletionSource<byte[]>)state!).TrySetCanceled(token), pending);
        using CancellationTokenRegistration timedOut = timeout == System.Threading.Timeout.InfiniteTimeSpan
            ? default
            : timer.Token.UnsafeRegister(static state => ((TaskCompletionSource<byte[]>)state!).TrySetException(new TimeoutException()), pending);
        if (timeout != System.Threading.Timeout.InfiniteTimeSpan)
        {
            timer.CancelAfter(timeout);
        }

        try
        {
            return await pending.Task.ConfigureAwait(false);
        }
        finally
        {
            timedOut.Dispose();
            if (!timer.TryReset())
            {
                // It fired: the next exchange gets a new one.
                _timeoutSource = new CancellationTokenSource();
                timer.Dispose();
            }
        }
    }

    /// <summary>Sends a request on the poller thread, whose reply then completes <paramref name="pending"/>; returns the error when it cannot.</summary>
    private RpcTransportException? SendOnLoop(TaskCompletionSource<byte[]> pending, byte[] bytes, byte[]? deadline)
    {
        try
        {
            if (_socket is null || (deadline is not null ? !_socket.TrySendFrame(TimeSpan.Zero, deadline, more: true) : !_socket.TrySendFrame(TimeSpan.Zero, bytes)))
            {
                throw new RpcTransportException("The ZeroMQ REQ socket cannot send now (its queue is full).");
            }

            if (deadline is not null)
            {
                // The first frame went, so the rest of the message goes too.
                _socket.SendFrame(bytes);
            }
        }
        catch (NetMQException e)
        {
            return new RpcTransportException("The ZeroMQ REQ socket cannot send: " + e.Message, e);
        }
        catch (RpcTransportException e)
        {
            return e;
        }

        _reply = pending;
        return null;
    }

    /// <summary>Stops the poller thread and closes the socket; a call waiting for its reply fails.</summary>
    public void Dispose()
    {
        _loop.Dispose(() =>
        {
            if (_socket is { } socket)
            {
                // A short linger lets a message just queued (a notification) still leave.
                ZmqSocketLoop.Close(socket, TimeSpan.FromSeconds(1));
                _socket = null;
            }
        });
        _reply?.TrySetException(new ObjectDisposedException(nameof(ZmqClientTransport)));
        Volatile.Read(ref _current)?.TrySetException(new ObjectDisposedException(nameof(ZmqClientTransport)));
    }

    private static RequestSocket Connect(string endpoint)
    {
        var socket = new RequestSocket();
        try
        {
            socket.Connect(endpoint);
            return socket;
        }
        catch (Exception e) when (e is NetMQException or ArgumentException)
        {
            ZmqSocketLoop.Close(socket, TimeSpan.Zero);
            throw new RpcTransportException($"Cannot connect a ZeroMQ REQ socket to {endpoint}: {e.Message}", e);
        }
    }

    private async Task DiscardOwedReplyAsync(CancellationToken cancellationToken)
    {
        Task<byte[]> owed = _owedReply!;
        _owedReply = null;
        try
        {
            await owed.WaitAsync(Timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await RecreateAsync().ConfigureAwait(false);
            if (_brokenReason is not null)
            {
                throw new RpcTransportException(_brokenReason);
            }
        }
        catch (OperationCanceledException)
        {
            await RecreateAsync().ConfigureAwait(false);
            throw;
        }
    }

    private Task RecreateAsync()
    {
        _owedReply = null;
        return _loop.InvokeAsync(ReplaceSocket);
    }

    private void ReplaceSocket()
    {
        _reply?.TrySetCanceled();
        _reply = null;
        if (_socket is { } old)
        {
            _loop.Poller.Remove(old);
            old.ReceiveReady -= OnReplyReady;
            ZmqSocketLoop.Close(old, TimeSpan.Zero);
            _socket = null;
        }

        if (_socketFactory is null)
        {
            _brokenReason = "The ZeroMQ REQ socket timed out and was closed; this transport has no socket factory to replace it.";
            return;
        }

        try
        {
            Attach(_socketFactory());
            SocketsRecreated++;
        }
        catch (Exception e)
        {
            _brokenReason = "The ZeroMQ REQ socket could not be recreated: " + e.Message;
        }
    }

    private void Attach(RequestSocket socket)
    {
        socket.ReceiveReady += OnReplyReady;
        _loop.Poller.Add(socket);
        _socket = socket;
    }

    private void OnReplyReady(object? sender, NetMQSocketEventArgs e)
    {
        // A REQ socket holds at most one reply, and asking it for a second one is a state error.
        List<byte[]>? frames = _frames;
        frames.Clear();
        try
        {
            if (!e.Socket.TryReceiveMultipartBytes(TimeSpan.Zero, ref frames))
            {
                return;
            }
        }
        catch (NetMQException)
        {
            return;
        }

        // The reply comes without its envelope: the body is the last frame.
        TaskCompletionSource<byte[]>? pending = _reply;
        _reply = null;
        pending?.TrySetResult(frames.Count > 0 ? frames[^1] : []);
    }
}
