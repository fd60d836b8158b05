using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TinyRpc.AspNetCore;
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
/// application stops, open sockets are closed with status 1001 (going away). The inbox, the routing of replies, the
/// peers and their tokens are <see cref="MultiplexedServerTransport"/>'s; a socket is read only while the inbox has room
/// (<see cref="WebSocketServerOptions.MaxQueuedMessages"/>), with no limit of its own on the requests in flight. Replies
/// and messages to clients are sent as one message of <see cref="WebSocketServerOptions.MessageType"/> each, one at a
/// time per socket, before the send completes; an empty reply (a notification) sends nothing.
/// </remarks>
public sealed class WebSocketServerTransport : MultiplexedServerTransport
{
    private readonly WebSocketServerOptions _options;

    /// <summary>Creates the transport.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size or count in <paramref name="options"/> is less than 1, or the idle
    /// timeout is not positive and not <see cref="Timeout.InfiniteTimeSpan"/>.</exception>
    public WebSocketServerTransport(WebSocketServerOptions? options = null)
        : base(Checked(options ??= new WebSocketServerOptions()).MaxQueuedMessages, maxReplySize: int.MaxValue) // MaxMessageSize bounds what clients send only
    {
        _options = new WebSocketServerOptions
        {
            MaxMessageSize = options.MaxMessageSize,
            MessageType = options.MessageType,
            MaxQueuedMessages = options.MaxQueuedMessages,
            CloseTimeout = options.CloseTimeout,
            IdleTimeout = options.IdleTimeout,
        };
        MaxRequestsInFlightPerConnection = int.MaxValue;
    }

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

        var connection = new WebSocketConnection(this, context, socket, _options);
        CancellationToken stopping = context.RequestServices?.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None;

        // Cancelling a receive would abort the socket; on shutdown the close handshake is started instead, and the
        // connection ends when the client answers it.
        using CancellationTokenRegistration onStopping = stopping.Register(static state => _ = ((WebSocketConnection)state!).GoAwayAsync(), connection);
        await ServeAsync(connection).ConfigureAwait(false);
    }

    /// <summary>
    /// Stops handing out messages: <see cref="MultiplexedServerTransport.ReceiveMessageAsync"/> returns null once the
    /// messages already queued have been received. Open sockets stay open until their clients or the host close them.
    /// </summary>
    public void Complete() => CompleteInbox();

    /// <inheritdoc/>
    protected override Peer? FindPeer(object? context) => (context as SocketContext)?.Connection;

    private static WebSocketServerOptions Checked(WebSocketServerOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxMessageSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxQueuedMessages, 1);
        if (options.IdleTimeout != Timeout.InfiniteTimeSpan)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.IdleTimeout, TimeSpan.Zero);
        }

        return options;
    }

    /// <summary>The context of a socket's messages: its HTTP request, and the peer that answers it.</summary>
    /// <remarks>
    /// The upgrade request's trace context is the connection's: the calls that come over it later link to it (see
    /// docs/observability.md) rather than becoming its children.
    /// </remarks>
    private sealed class SocketContext(HttpContext context, WebSocketConnection connection) : RpcHttpRequestContext(context, isConnection: true)
    {
        public WebSocketConnection Connection { get; } = connection;
    }

    [SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "Disposed by CloseAsync, which the transport calls once.")]
    private sealed class WebSocketConnection : Peer
    {
        private readonly WebSocket _socket;
        private readonly WebSocketServerOptions _options;
        private readonly SemaphoreSlim _sendLock = new(1, 1);
        private readonly CancellationTokenSource _closed;
        private ArrayBufferWriter<byte> _buffer = new(4096);

        public WebSocketConnection(WebSocketServerTransport transport, HttpContext context, WebSocket socket, WebSocketServerOptions options)
            : base(transport, options.IdleTimeout)
        {
            _socket = socket;
            _options = options;
            _closed = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            Context = new SocketContext(context, this);
        }

        protected override object Context { get; }

        protected override CancellationToken ReadAborted => _closed.Token;

        // A close ends both directions: nothing owed can be sent once the client's input has ended.
        protected override bool AnswersAfterInputEnds => false;

        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
        protected override async ValueTask<ReadOnlyMemory<byte>?> ReceiveAsync(CancellationToken cancellationToken)
        {
            try
            {
                while (true)
                {
                    ValueWebSocketReceiveResult result = await _socket.ReceiveAsync(_buffer.GetMemory(4096), cancellationToken).ConfigureAwait(false);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        await CloseSocketAsync(WebSocketCloseStatus.NormalClosure, null, awaitPeer: false).ConfigureAwait(false);
                        return null;
                    }

                    _buffer.Advance(result.Count);
                    if (_buffer.WrittenCount > _options.MaxMessageSize)
                    {
                        await CloseSocketAsync(WebSocketCloseStatus.MessageTooBig, $"messages are limited to {_options.MaxMessageSize} bytes", awaitPeer: true).ConfigureAwait(false);
                        return null;
                    }

                    if (result.EndOfMessage)
                    {
                        byte[] message = _buffer.WrittenSpan.ToArray();
                        _buffer = _buffer.Capacity > 64 * 1024 ? new ArrayBufferWriter<byte>(4096) : _buffer;
                        _buffer.ResetWrittenCount();
                        return message;
                    }
                }
            }
            catch (WebSocketException)
            {
                // The client vanished: the connection ends here.
                return null;
            }
        }

        protected override async ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
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
                if (_socket.State == WebSocketState.Open)
                {
                    await _socket.SendAsync(message, _options.MessageType, endOfMessage: true, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
            {
                // The client vanished while its message was on the way.
            }
            finally
            {
                ReleaseSendLock();
            }
        }

        protected override ValueTask CloseAsync()
        {
            _closed.Cancel();
            _closed.Dispose();
            _sendLock.Dispose();
            return ValueTask.CompletedTask;
        }

        // Like stopping, but nothing is owed: the close handshake, and a client that does not answer is dropped.
        protected override void OnIdle() => _ = GoIdleAsync();

        private async Task GoIdleAsync()
        {
            await CloseSocketAsync(WebSocketCloseStatus.NormalClosure, "idle timeout", awaitPeer: false).ConfigureAwait(false);
            CancelReadingAfterCloseTimeout();
        }

        /// <summary>
        /// Lets the replies owed on this socket go out (for at most the close timeout), then closes with 1001; a
        /// client that does not answer within the close timeout is dropped.
        /// </summary>
        public async Task GoAwayAsync()
        {
            Task allAnswered = WhenAllAnsweredAsync();
            if (!allAnswered.IsCompleted)
            {
                await Task.WhenAny(allAnswered, Task.Delay(_options.CloseTimeout, CancellationToken.None)).ConfigureAwait(false);
            }

            await CloseSocketAsync(WebSocketCloseStatus.EndpointUnavailable, "server stopping", awaitPeer: false).ConfigureAwait(false);
            CancelReadingAfterCloseTimeout();
        }

        private void CancelReadingAfterCloseTimeout()
        {
            try
            {
                _closed.CancelAfter(_options.CloseTimeout);
            }
            catch (ObjectDisposedException)
            {
                // The connection ended meanwhile.
            }
        }

        private async Task CloseSocketAsync(WebSocketCloseStatus status, string? description, bool awaitPeer)
        {
            using var timeout = new CancellationTokenSource(_options.CloseTimeout);
            try
            {
                await _sendLock.WaitAsync(timeout.Token).ConfigureAwait(false);
                try
                {
                    if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                    {
                        await _socket.CloseOutputAsync(status, description, timeout.Token).ConfigureAwait(false);
                    }
                }
                finally
                {
                    ReleaseSendLock();
                }

                // After a close of our own, wait (bounded) for the client's close so that it sees our status.
                byte[] scratch = new byte[1024];
                while (awaitPeer && _socket.State == WebSocketState.CloseSent)
                {
                    ValueWebSocketReceiveResult result = await _socket.ReceiveAsync(scratch.AsMemory(), timeout.Token).ConfigureAwait(false);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        break;
                    }
                }
            }
            catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
            {
                // The client did not finish the handshake, or the connection ended meanwhile; the host drops it.
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
    }
}
