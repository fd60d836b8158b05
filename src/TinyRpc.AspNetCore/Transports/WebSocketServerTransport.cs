using System.Buffers;
using System.Net.WebSockets;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TinyRpc.AspNetCore;
using TinyRpc.Exceptions;
using TinyRpc.Server;

namespace TinyRpc.Transports;

/// <summary>
/// A WebSocket server transport on ASP.NET Core (tinyrpc's <c>WSServerTransport</c>): every message on every
/// connected socket becomes a message for an <see cref="RpcServer"/>, and each reply goes back over the socket it
/// came from. Replies are sent as soon as they are ready, so with a concurrent server many calls on one socket are
/// answered out of order and clients match them by id. Map it with
/// <see cref="TinyRpcEndpointRouteBuilderExtensions.MapTinyRpcWebSocket(Microsoft.AspNetCore.Routing.IEndpointRouteBuilder, WebSocketServerTransport, string, bool)"/>
/// after <c>app.UseWebSockets()</c>.
/// </summary>
/// <remarks>
/// A message over <see cref="WebSocketServerOptions.MaxMessageSize"/> closes its socket with status 1009. A client
/// that vanishes ends its connection; replies still due to it are dropped and the server carries on. When the
/// application stops, open sockets are closed with status 1001 (going away).
/// </remarks>
public sealed class WebSocketServerTransport : IServerTransport, IDuplexServerTransport
{
    private readonly InboundQueue _queue;
    private readonly WebSocketServerOptions _options;
    private readonly HashSet<WebSocketConnection> _connections = [];
    private readonly Lock _gate = new();

    /// <summary>Creates the transport.</summary>
    public WebSocketServerTransport(WebSocketServerOptions? options = null)
    {
        options ??= new WebSocketServerOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxMessageSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxQueuedMessages, 1);
        if (options.IdleTimeout != Timeout.InfiniteTimeSpan)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.IdleTimeout, TimeSpan.Zero);
        }

        _options = new WebSocketServerOptions
        {
            MaxMessageSize = options.MaxMessageSize,
            MessageType = options.MessageType,
            MaxQueuedMessages = options.MaxQueuedMessages,
            CloseTimeout = options.CloseTimeout,
            IdleTimeout = options.IdleTimeout,
        };
        _queue = new InboundQueue(_options.MaxQueuedMessages);
    }

    /// <summary>The number of sockets open now.</summary>
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
    /// <remarks>Sent as one message of <see cref="WebSocketServerOptions.MessageType"/>, in turn with the replies.</remarks>
    public ValueTask SendToPeerAsync(object context, ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        WebSocketConnection connection = context as WebSocketConnection ?? throw new ArgumentException("The context does not come from this transport.", nameof(context));
        return connection.Ended.IsCancellationRequested
            ? throw new RpcTransportException("The client has disconnected.")
            : connection.SendAsync(message, cancellationToken);
    }

    /// <inheritdoc/>
    public CancellationToken GetPeerClosed(object context)
        => (context as WebSocketConnection ?? throw new ArgumentException("The context does not come from this transport.", nameof(context))).Ended;

    /// <summary>
    /// Serves one WebSocket connection until it closes; use it as an endpoint's <see cref="RequestDelegate"/>.
    /// A request that is not a WebSocket upgrade is answered 400.
    /// </summary>
    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.WebSockets.IsWebSocketRequest)
        {
            bool upgrade = string.Equals(context.Request.Headers.Upgrade, "websocket", StringComparison.OrdinalIgnoreCase);
            await RpcHttpHandler.RefuseAsync(context, upgrade ? StatusCodes.Status500InternalServerError : StatusCodes.Status400BadRequest,
                upgrade ? "WebSockets are not enabled on this server: call app.UseWebSockets() before mapping the endpoint."
                        : "This endpoint accepts WebSocket connections only.").ConfigureAwait(false);
            return;
        }

        WebSocket socket;
        try
        {
            socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or WebSocketException)
        {
            return;
        }

        var connection = new WebSocketConnection(context, socket, _options);
        lock (_gate)
        {
            _connections.Add(connection);
        }

        CancellationToken stopping = context.RequestServices?.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None;
        try
        {
            await connection.RunAsync(_queue, stopping).ConfigureAwait(false);
        }
        finally
        {
            lock (_gate)
            {
                _connections.Remove(connection);
            }

            connection.Dispose();
        }
    }

    /// <inheritdoc/>
    public ValueTask<RpcInboundMessage?> ReceiveMessageAsync(CancellationToken cancellationToken = default) => _queue.ReceiveAsync(cancellationToken);

    /// <inheritdoc/>
    /// <remarks>An empty reply (a notification) sends nothing. A reply to a socket that has gone is dropped.</remarks>
    public async ValueTask SendReplyAsync(object? context, ReadOnlyMemory<byte> reply, CancellationToken cancellationToken = default)
    {
        if (context is not WebSocketConnection connection)
        {
            throw new ArgumentException("The context does not come from this transport.", nameof(context));
        }

        try
        {
            if (!reply.IsEmpty)
            {
                await connection.SendAsync(reply, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            connection.Answered();
        }
    }

    /// <summary>
    /// Stops handing out messages: <see cref="ReceiveMessageAsync"/> returns null once the messages already queued
    /// have been received. Open sockets stay open until their clients or the host close them.
    /// </summary>
    public void Complete() => _queue.Complete();

    private sealed class WebSocketConnection(HttpContext context, WebSocket socket, WebSocketServerOptions options)
        : RpcHttpRequestContext(context), IDisposable
    {
        private readonly SemaphoreSlim _sendLock = new(1, 1);
        private readonly CancellationTokenSource _closed = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        private readonly CancellationTokenSource _ended = new(); // not disposed: tokens handed out may be read at any time
        private readonly Lock _idleGate = new();
        private Timer? _idleTimer; // runs while no reply is owed; null when there is no idle timeout or the connection ended
        private int _unanswered;
        private TaskCompletionSource? _allAnswered;

        /// <summary>Records a reply (or a notification's empty one) for a message read from this socket.</summary>
        public void Answered()
        {
            int left;
            lock (_idleGate)
            {
                // Under the lock, so that the last change of the count sets the idle clock.
                left = Interlocked.Decrement(ref _unanswered);
                if (left == 0)
                {
                    _idleTimer?.Change(options.IdleTimeout, Timeout.InfiniteTimeSpan);
                }
            }

            if (left == 0)
            {
                Volatile.Read(ref _allAnswered)?.TrySetResult();
            }
        }

        private void Received()
        {
            lock (_idleGate)
            {
                Interlocked.Increment(ref _unanswered);
                _idleTimer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }
        }

        private void OnIdle()
        {
            lock (_idleGate)
            {
                if (_idleTimer is null || Volatile.Read(ref _unanswered) != 0)
                {
                    return; // a message came in meanwhile
                }
            }

            _ = GoIdleAsync();
        }

        // Like stopping, but nothing is owed: the close handshake, and a client that does not answer is dropped.
        private async Task GoIdleAsync()
        {
            try
            {
                await CloseAsync(WebSocketCloseStatus.NormalClosure, "idle timeout", awaitPeer: false).ConfigureAwait(false);
                _closed.CancelAfter(options.CloseTimeout);
            }
            catch (ObjectDisposedException)
            {
                // The connection ended meanwhile.
            }
        }

        public async Task RunAsync(InboundQueue queue, CancellationToken stopping)
        {
            CancellationToken token = _closed.Token;

            // Cancelling a receive would abort the socket; on shutdown the close handshake is started instead,
            // and the loop ends when the client answers it.
            using CancellationTokenRegistration onStopping = stopping.Register(static state => _ = ((WebSocketConnection)state!).GoAwayAsync(), this);
            var buffer = new ArrayBufferWriter<byte>(4096);
            if (options.IdleTimeout != Timeout.InfiniteTimeSpan)
            {
                lock (_idleGate)
                {
                    _idleTimer = new Timer(static state => ((WebSocketConnection)state!).OnIdle(), this, options.IdleTimeout, Timeout.InfiniteTimeSpan);
                }
            }

            try
            {
                while (true)
                {
                    ValueWebSocketReceiveResult result = await socket.ReceiveAsync(buffer.GetMemory(4096), token).ConfigureAwait(false);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        await CloseAsync(WebSocketCloseStatus.NormalClosure, null, awaitPeer: false).ConfigureAwait(false);
                        return;
                    }

                    buffer.Advance(result.Count);
                    if (buffer.WrittenCount > options.MaxMessageSize)
                    {
                        await CloseAsync(WebSocketCloseStatus.MessageTooBig, $"messages are limited to {options.MaxMessageSize} bytes", awaitPeer: true).ConfigureAwait(false);
                        return;
                    }

                    if (result.EndOfMessage)
                    {
                        byte[] message = buffer.WrittenSpan.ToArray();
                        buffer = buffer.Capacity > 64 * 1024 ? new ArrayBufferWriter<byte>(4096) : buffer;
                        buffer.ResetWrittenCount();
                        Received();
                        try
                        {
                            await queue.WriteAsync(new RpcInboundMessage(this, message), token).ConfigureAwait(false);
                        }
                        catch
                        {
                            Answered();
                            throw;
                        }
                    }
                }
            }
            catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ChannelClosedException)
            {
                // The client vanished, the host is stopping or the transport was completed: the connection ends here.
            }
            finally
            {
                await _closed.CancelAsync().ConfigureAwait(false);
            }
        }

        /// <summary>
        /// Lets the replies owed on this socket go out (for at most the close timeout), then closes with 1001; a
        /// client that does not answer within the close timeout is dropped.
        /// </summary>
        private async Task GoAwayAsync()
        {
            var allAnswered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _allAnswered, allAnswered);
            if (Volatile.Read(ref _unanswered) > 0)
            {
                await Task.WhenAny(allAnswered.Task, Task.Delay(options.CloseTimeout, CancellationToken.None)).ConfigureAwait(false);
            }

            await CloseAsync(WebSocketCloseStatus.EndpointUnavailable, "server stopping", awaitPeer: false).ConfigureAwait(false);
            try
            {
                _closed.CancelAfter(options.CloseTimeout);
            }
            catch (ObjectDisposedException)
            {
                // The connection ended meanwhile.
            }
        }

        /// <summary>Cancelled once the connection has ended.</summary>
        public CancellationToken Ended => _ended.Token;

        public async ValueTask SendAsync(ReadOnlyMemory<byte> reply, CancellationToken cancellationToken)
        {
            if (_closed.IsCancellationRequested)
            {
                return;
            }

            try
            {
                await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            try
            {
                if (socket.State == WebSocketState.Open)
                {
                    await socket.SendAsync(reply, options.MessageType, endOfMessage: true, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
            {
                // The client vanished while its reply was on the way.
            }
            finally
            {
                ReleaseSendLock();
            }
        }

        private async Task CloseAsync(WebSocketCloseStatus status, string? description, bool awaitPeer)
        {
            using var timeout = new CancellationTokenSource(options.CloseTimeout);
            try
            {
                await _sendLock.WaitAsync(timeout.Token).ConfigureAwait(false);
                try
                {
                    if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                    {
                        await socket.CloseOutputAsync(status, description, timeout.Token).ConfigureAwait(false);
                    }
                }
                finally
                {
                    ReleaseSendLock();
                }

                // After a close of our own, wait (bounded) for the client's close so that it sees our status.
                byte[] scratch = new byte[1024];
                while (awaitPeer && socket.State == WebSocketState.CloseSent)
                {
                    ValueWebSocketReceiveResult result = await socket.ReceiveAsync(scratch.AsMemory(), timeout.Token).ConfigureAwait(false);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        break;
                    }
                }
            }
            catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException)
            {
                // The client did not finish the handshake; the host drops the connection.
            }
        }

        private void ReleaseSendLock()
        {
            try
            {
                _sendLock.Release();
            }
            catch (ObjectDisposedException)
            {
            }
        }

        public void Dispose()
        {
            lock (_idleGate)
            {
                _idleTimer?.Dispose();
                _idleTimer = null;
            }

            _closed.Cancel();
            _closed.Dispose();
            _sendLock.Dispose();
            _ended.Cancel();
        }
    }
}
