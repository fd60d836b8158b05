using System.Threading.Channels;
using NetMQ;
using NetMQ.Sockets;
using TinyRpc.Client;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Server;

namespace TinyRpc.Transports;

/// <summary>
/// Full-duplex client transport on a ZeroMQ DEALER socket: any number of calls may be outstanding at once,
/// and <see cref="RpcClient"/> matches the replies to them by id. Messages go out as a REQ socket sends them
/// (an empty delimiter frame, then the body), so ROUTER servers, TinyRpc's and libzmq's alike, and REP
/// servers answer it. A call never wedges the socket: a reply that does not come is
/// <see cref="RpcClient.Timeout"/>'s business.
/// </summary>
/// <remarks>
/// <para>It serves the server's calls too: <c>new RpcConnection(protocol, ZmqDealerClientTransport.Create(endpoint),
/// dispatcher)</c> calls a TinyRpc ROUTER server and answers the requests and notifications the server sends it
/// (<see cref="RpcConnection.Of(RpcRequest)"/>, <see cref="RpcServer.Connections"/>). The server sends those only to a
/// DEALER whose routing identity starts with <see cref="ZmqServerTransport.DuplexIdentityPrefix"/>: <see cref="Create"/>
/// gives its socket one, and a socket passed to the constructor needs one set before it connects.</para>
/// <para>The socket is used only on the transport's own poller thread; messages may be sent from any thread.
/// Empty messages (a TinyRpc server's answer to a notification, and the server's check that the peer is still
/// there) are skipped. The transport owns the socket
/// and closes it on <see cref="Dispose"/>, which also ends <see cref="ReceiveAsync"/>.</para>
/// </remarks>
public sealed class ZmqDealerClientTransport : IMessageChannel, IOwnedMessageSender, IInlineMessageReceiver, IDisposable
{
    private readonly DealerSocket _socket;
    private readonly ZmqSocketLoop _loop;
    private readonly NetMQQueue<byte[]> _outgoing = new();
    // A waiting reader is resumed on the poller thread: RpcClient's receive loop (ReceiveInlineAsync) only hands each
    // reply to its waiter, one thread hand-off fewer per reply; ReceiveAsync moves off the poller itself.
    private readonly Channel<byte[]> _incoming =
        Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleWriter = true, AllowSynchronousContinuations = true });
    private readonly Queue<byte[]> _backlog = new();
    private readonly List<byte[]> _frames = []; // poller thread only
    private bool _waitingToSend;

    /// <summary>Talks over <paramref name="socket"/>, a DEALER socket already connected to the server.</summary>
    public ZmqDealerClientTransport(DealerSocket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        _socket = socket;
        _socket.ReceiveReady += OnReplyReady;
        _outgoing.ReceiveReady += OnSendReady;
        _loop = new ZmqSocketLoop("TinyRpc ZeroMQ DEALER client");
        _loop.InvokeAsync(() =>
        {
            _loop.Poller.Add(_socket);
            _loop.Poller.Add(_outgoing);
        }).GetAwaiter().GetResult();
    }

    /// <summary>
    /// Creates a DEALER socket connected to <paramref name="endpoint"/>, for example <c>tcp://127.0.0.1:5001</c>, with a
    /// routing identity of its own (<see cref="ZmqServerTransport.DuplexIdentityPrefix"/> and 16 random bytes), so that a
    /// TinyRpc ROUTER server can call it back.
    /// </summary>
    /// <exception cref="RpcTransportException">The endpoint is not valid.</exception>
    public static ZmqDealerClientTransport Create(string endpoint)
    {
        ArgumentException.ThrowIfNullOrEmpty(endpoint);
        var socket = new DealerSocket();
        socket.Options.Identity = ZmqServerTransport.NewDuplexIdentity();
        try
        {
            socket.Connect(endpoint);
        }
        catch (Exception e) when (e is NetMQException or ArgumentException)
        {
            ZmqSocketLoop.Close(socket, TimeSpan.Zero);
            throw new RpcTransportException($"Cannot connect a ZeroMQ DEALER socket to {endpoint}: {e.Message}", e);
        }

        return new ZmqDealerClientTransport(socket);
    }

    /// <inheritdoc/>
    /// <exception cref="RpcTransportException">The transport has been disposed.</exception>
    public ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
        => Send(message.ToArray());

    /// <inheritdoc/>
    /// <remarks>A message that fills an array of its own becomes the ZeroMQ frame as it is, without a copy.</remarks>
    public ValueTask SendOwnedAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
        => Send(ZmqServerTransport.WholeArray(message) ?? message.ToArray());

    private ValueTask Send(byte[] message)
    {
        if (_loop.IsDisposed)
        {
            throw new RpcTransportException("The ZeroMQ DEALER transport has been disposed.");
        }

        _outgoing.Enqueue(message);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public async ValueTask<ReadOnlyMemory<byte>?> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        ReadOnlyMemory<byte>? message = await ReceiveCoreAsync(cancellationToken).ConfigureAwait(false);
        if (_loop.IsLoopThread)
        {
            // Resumed by the poller: a caller that blocks must not block the socket.
            await ZmqSocketLoop.LeaveLoopThread();
        }

        return message;
    }

    // A waiting receive is resumed on the poller thread, which sends and receives nothing until the caller returns
    // from it: the caller must only hand the message on, never block.
    ValueTask<ReadOnlyMemory<byte>?> IInlineMessageReceiver.ReceiveInlineAsync(CancellationToken cancellationToken)
        => ReceiveCoreAsync(cancellationToken);

    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadOnlyMemory<byte>?> ReceiveCoreAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _incoming.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    /// <summary>Stops the poller thread and closes the socket; <see cref="ReceiveAsync"/> returns null.</summary>
    public void Dispose()
    {
        _loop.Dispose(() =>
        {
            // Messages sent just before (a notification) still go out, as far as the socket takes them now.
            SendQueued();
            ZmqSocketLoop.Close(_socket, TimeSpan.FromSeconds(1));
            _outgoing.Dispose();
        });
        _incoming.Writer.TryComplete();
    }

    private void OnSendReady(object? sender, NetMQQueueEventArgs<byte[]> e) => SendQueued();

    private void SendQueued()
    {
        while (_outgoing.TryDequeue(out byte[]? body, TimeSpan.Zero))
        {
            _backlog.Enqueue(body);
        }

        Flush();
    }

    private void OnSocketSendReady(object? sender, NetMQSocketEventArgs e) => Flush();

    /// <summary>
    /// Sends what the socket takes now. Past the high-water mark (or before any peer is connected) the rest
    /// waits here until the socket is writable again: nothing is dropped and the poller thread never blocks.
    /// </summary>
    private void Flush()
    {
        try
        {
            while (_backlog.TryPeek(out byte[]? body) && _socket.TrySendFrameEmpty(TimeSpan.Zero, more: true))
            {
                // The first frame of a message was accepted, so the rest is too.
                _socket.SendFrame(body);
                _backlog.Dequeue();
            }
        }
        catch (NetMQException)
        {
            _backlog.Clear();
        }

        if (_backlog.Count > 0 != _waitingToSend)
        {
            _waitingToSend = !_waitingToSend;
            if (_waitingToSend)
            {
                _socket.SendReady += OnSocketSendReady;
            }
            else
            {
                _socket.SendReady -= OnSocketSendReady;
            }
        }
    }

    private void OnReplyReady(object? sender, NetMQSocketEventArgs e)
    {
        // One list for every message: only the body, an array of its own, is handed on.
        List<byte[]> frames = _frames;
        frames.Clear();
        while (TryReceive(e.Socket, ref frames))
        {
            if (frames.Count > 0 && frames[^1].Length > 0)
            {
                _incoming.Writer.TryWrite(frames[^1]);
            }

            frames.Clear();
        }
    }

    private static bool TryReceive(NetMQSocket socket, ref List<byte[]> frames)
    {
        try
        {
            return socket.TryReceiveMultipartBytes(TimeSpan.Zero, ref frames);
        }
        catch (NetMQException)
        {
            return false;
        }
    }
}
