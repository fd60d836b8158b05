using System.Diagnostics;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using TinyRpc.Client;
using TinyRpc.Exceptions;

namespace TinyRpc.Transports;

/// <summary>
/// A full-duplex client transport over a WebSocket (tinyrpc's <c>HttpWebSocketClientTransport</c>): each message
/// is one WebSocket message. Many calls may be outstanding; <see cref="RpcClient"/> matches replies by id.
/// </summary>
public sealed class WebSocketClientTransport : IMessageChannel, IAsyncDisposable, IServerEndpoint
{
    private readonly WebSocket _socket;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private const int MaxKeptReceiveBuffer = 64 * 1024;
    private byte[] _receiveBuffer = new byte[4096];

    /// <summary>Wraps a connected WebSocket.</summary>
    public WebSocketClientTransport(WebSocket socket, WebSocketMessageType messageType = WebSocketMessageType.Text, int maxMessageSize = FramedConnection.DefaultMaxMessageSize)
    {
        ArgumentNullException.ThrowIfNull(socket);
        _socket = socket;
        MessageType = messageType;
        MaxMessageSize = maxMessageSize;
    }

    /// <summary>Connects to <paramref name="uri"/> (<c>ws://</c> or <c>wss://</c>).</summary>
    /// <exception cref="RpcTransportException">The connection could not be made.</exception>
    public static async Task<WebSocketClientTransport> ConnectAsync(Uri uri, WebSocketMessageType messageType = WebSocketMessageType.Text,
        int maxMessageSize = FramedConnection.DefaultMaxMessageSize, Action<ClientWebSocketOptions>? configure = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var socket = new ClientWebSocket();
        if (Activity.Current is { } current)
        {
            // The connection's trace context, in the upgrade request; configure may still set headers of its own.
            TraceHeaders.Inject(current, socket.Options, static (options, name, value) => options.SetRequestHeader(name, value));
        }

        configure?.Invoke(socket.Options);
        try
        {
            await socket.ConnectAsync(uri, cancellationToken).ConfigureAwait(false);
        }
        catch (WebSocketException e)
        {
            socket.Dispose();
            throw new RpcTransportException($"Cannot connect to {uri}: {e.Message}", e);
        }

        return new WebSocketClientTransport(socket, messageType, maxMessageSize) { _server = uri };
    }

    private Uri? _server; // known when this transport made the connection

    string? IServerEndpoint.ServerAddress => _server?.Host;

    int IServerEndpoint.ServerPort => _server?.Port ?? 0;

    /// <summary>Text for JSON-RPC, Binary for MSGPACK-RPC.</summary>
    public WebSocketMessageType MessageType { get; }

    /// <summary>The largest message received; a larger one closes the socket with status 1009.</summary>
    public int MaxMessageSize { get; }

    /// <summary>The socket's state.</summary>
    public WebSocketState State => _socket.State;

    /// <inheritdoc/>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _socket.SendAsync(message, MessageType, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }
        catch (WebSocketException e)
        {
            throw new RpcTransportException("The WebSocket failed: " + e.Message, e);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <inheritdoc/>
    /// <remarks>One reader at a time: the message is gathered in a buffer kept between calls, and handed out as a copy of its exact size.</remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ReadOnlyMemory<byte>?> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        byte[] buffer = _receiveBuffer;
        int length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, Math.Min((long)MaxMessageSize + 1, Array.MaxLength)));
                }

                ValueWebSocketReceiveResult result = await _socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    if (_socket.State == WebSocketState.CloseReceived)
                    {
                        await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None).ConfigureAwait(false);
                    }

                    // A close for a reason (a message too big, text that is not UTF-8, a policy) says why calls fail.
                    if (_socket.CloseStatus is { } status and not (WebSocketCloseStatus.NormalClosure or WebSocketCloseStatus.EndpointUnavailable))
                    {
                        throw new RpcTransportException(
                            $"The server closed the WebSocket: {status} ({(int)status}){(string.IsNullOrEmpty(_socket.CloseStatusDescription) ? "" : ", " + _socket.CloseStatusDescription)}.");
                    }

                    return null;
                }

                length += result.Count;
                if (length > MaxMessageSize)
                {
                    await _socket.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, "message too big", CancellationToken.None).ConfigureAwait(false);
                    throw new RpcTransportException($"A message from the server is larger than {MaxMessageSize} bytes.");
                }

                if (result.EndOfMessage)
                {
                    return buffer.AsSpan(0, length).ToArray();
                }
            }
        }
        catch (WebSocketException e)
        {
            throw new RpcTransportException("The WebSocket failed: " + e.Message, e);
        }
        finally
        {
            // Keep a buffer that grew for a large message only while it stays modest.
            _receiveBuffer = buffer.Length <= MaxKeptReceiveBuffer ? buffer : _receiveBuffer;
        }
    }


    /// <summary>Closes the socket with a normal closure (tinyrpc's <c>close</c>).</summary>
    public async Task CloseAsync(CancellationToken cancellationToken = default)
    {
        if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            try
            {
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken).ConfigureAwait(false);
            }
            catch (WebSocketException)
            {
                // the server went away first; nothing left to close
            }
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await CloseAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _socket.Dispose();
        _sendLock.Dispose();
    }
}
