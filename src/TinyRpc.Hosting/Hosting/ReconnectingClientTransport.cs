using TinyRpc.Client;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Transports;

namespace TinyRpc.Hosting;

/// <summary>
/// Request/reply over a TCP connection that is made again when it drops. Each connection is an <see cref="RpcClient"/>
/// over a <see cref="StreamClientTransport"/>, so many calls are outstanding at once and replies are matched by id;
/// the calls waiting on a connection when it drops fail with <see cref="RpcTransportException"/>, and the next call
/// connects again. A connection attempt that fails is retried after a delay that doubles with every failure, up to a
/// bound, for as long as the call that asked for it waits (its timeout or cancellation).
/// </summary>
internal sealed class ReconnectingClientTransport(RpcProtocol protocol, string host, int port, TimeSpan firstDelay, TimeSpan maxDelay)
    : IClientTransport, IAsyncDisposable
{
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private readonly CancellationTokenSource _disposed = new();
    private Connection? _current;
    private TimeSpan _delay = TimeSpan.Zero; // before the next attempt: zero until an attempt fails

    public async ValueTask<ReadOnlyMemory<byte>> SendMessageAsync(ReadOnlyMemory<byte> message, bool expectReply = true, CancellationToken cancellationToken = default)
    {
        Connection connection = await GetConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!expectReply)
            {
                // The connection is shared: a cancelled caller stops waiting, it does not cut a message in half.
                await connection.SendAsync(message, CancellationToken.None).AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
                return ReadOnlyMemory<byte>.Empty;
            }

            // The connection's own client matches the reply by the request's id, among the calls outstanding on it.
            if (protocol.ParseRequest(message) is not RpcRequest request)
            {
                throw new NotSupportedException("Batches are not sent over a reconnecting connection; send the calls one by one.");
            }

            RpcResponse? response = await connection.Client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            return response?.Serialize() ?? ReadOnlyMemory<byte>.Empty;
        }
        catch (RpcTransportException)
        {
            Drop(connection);
            throw;
        }
    }

    private async ValueTask<Connection> GetConnectionAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _current) is { Dropped: false } current)
        {
            return current;
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        await _connecting.WaitAsync(linked.Token).ConfigureAwait(false);
        try
        {
            if (_current is { Dropped: false } made)
            {
                return made;
            }

            Drop(_current);
            while (true)
            {
                if (_delay > TimeSpan.Zero)
                {
                    await Task.Delay(_delay, linked.Token).ConfigureAwait(false);
                }

                try
                {
                    StreamClientTransport channel = await StreamClientTransport.ConnectTcpAsync(host, port, cancellationToken: linked.Token).ConfigureAwait(false);
                    var connection = new Connection(protocol, channel);
                    _delay = TimeSpan.Zero;
                    Volatile.Write(ref _current, connection);
                    return connection;
                }
                catch (RpcTransportException) when (!linked.IsCancellationRequested)
                {
                    _delay = _delay == TimeSpan.Zero ? firstDelay : TimeSpan.FromTicks(Math.Min(_delay.Ticks * 2, maxDelay.Ticks));
                }
            }
        }
        finally
        {
            _connecting.Release();
        }
    }

    private void Drop(Connection? connection)
    {
        if (connection is null)
        {
            return;
        }

        connection.Dropped = true;
        Interlocked.CompareExchange(ref _current, null, connection);
        _ = connection.Client.DisposeAsync().AsTask();
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        await _disposed.CancelAsync().ConfigureAwait(false);
        if (Interlocked.Exchange(ref _current, null) is { } connection)
        {
            await connection.Client.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>One connection: its channel notes when it ends, so that the next call does not wait on it.</summary>
    private sealed class Connection : IMessageChannel
    {
        private readonly StreamClientTransport _channel;
        private volatile bool _dropped;

        public Connection(RpcProtocol protocol, StreamClientTransport channel)
        {
            _channel = channel;
            Client = new RpcClient(protocol, this) { Timeout = Timeout.InfiniteTimeSpan }; // the outer client times calls
        }

        public RpcClient Client { get; }

        public bool Dropped
        {
            get => _dropped;
            set => _dropped = value;
        }

        public ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
            => _channel.SendAsync(message, cancellationToken);

        public async ValueTask<ReadOnlyMemory<byte>?> ReceiveAsync(CancellationToken cancellationToken = default)
        {
            try
            {
                ReadOnlyMemory<byte>? message = await _channel.ReceiveAsync(cancellationToken).ConfigureAwait(false);
                if (message is null)
                {
                    _dropped = true;
                }

                return message;
            }
            catch
            {
                _dropped = true;
                throw;
            }
        }

        // The client disposes its channel: this one.
        public ValueTask DisposeAsync() => _channel.DisposeAsync();
    }
}
