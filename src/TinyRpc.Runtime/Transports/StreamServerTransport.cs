using System.Runtime.CompilerServices;

namespace TinyRpc.Transports;

/// <summary>
/// A server transport over one framed stream, such as standard input and output
/// (<see cref="ForStandardIo"/>). Ends when the stream ends.
/// </summary>
public sealed class StreamServerTransport : IServerTransport, IReplySizeLimit, IAsyncDisposable
{
    private readonly FramedConnection _connection;

    /// <summary>Creates the transport over a framed connection.</summary>
    public StreamServerTransport(FramedConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _connection = connection;
    }

    /// <summary>Serves requests read from this process's standard input, replying on standard output.</summary>
    public static StreamServerTransport ForStandardIo(MessageFraming framing = MessageFraming.ContentLength, int maxMessageSize = FramedConnection.DefaultMaxMessageSize)
        => new(new FramedConnection(Console.OpenStandardInput(), Console.OpenStandardOutput(), framing, maxMessageSize));

    /// <inheritdoc/>
    int IReplySizeLimit.MaxReplySize => _connection.MaxMessageSize;

    /// <inheritdoc/>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<RpcInboundMessage?> ReceiveMessageAsync(CancellationToken cancellationToken = default)
    {
        ReadOnlyMemory<byte>? message = await _connection.ReadAsync(cancellationToken).ConfigureAwait(false);
        return message is { } m ? new RpcInboundMessage(_connection, m) : null;
    }

    /// <inheritdoc/>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SendReplyAsync(object? context, ReadOnlyMemory<byte> reply, CancellationToken cancellationToken = default)
    {
        if (!reply.IsEmpty)
        {
            await _connection.WriteAsync(reply, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
