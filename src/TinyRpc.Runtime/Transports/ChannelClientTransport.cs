using TinyRpc.Exceptions;
using TinyRpc.Protocols;

namespace TinyRpc.Transports;

/// <summary>
/// Request/reply over a full-duplex channel: each <see cref="SendMessageAsync"/> sends its message and takes the next
/// message the channel receives as the reply. One exchange at a time; the others wait their turn. For a protocol
/// without ids to match replies by (see <see cref="RpcProtocol.SupportsOutOfOrder"/>), or for using a channel the way
/// tinyrpc's <c>ClientTransport</c> is used.
/// </summary>
/// <remarks>
/// Do not read the channel elsewhere while this transport uses it: a reply read there is lost to the exchange that
/// waits for it. An exchange that is cancelled after its message went out leaves its reply unread: the connection no
/// longer pairs messages with replies, so the channel is closed and later exchanges fail.
/// </remarks>
public sealed class ChannelClientTransport : IClientTransport, IAsyncDisposable
{
    private readonly SemaphoreSlim _exchange = new(1, 1);
    private volatile bool _broken;

    /// <summary>Creates the transport over <paramref name="channel"/>, which it disposes when it is disposed.</summary>
    public ChannelClientTransport(IMessageChannel channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        Channel = channel;
    }

    /// <summary>The channel.</summary>
    public IMessageChannel Channel { get; }

    /// <inheritdoc/>
    public async ValueTask<ReadOnlyMemory<byte>> SendMessageAsync(ReadOnlyMemory<byte> message, bool expectReply = true, CancellationToken cancellationToken = default)
    {
        await _exchange.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_broken)
            {
                throw new RpcTransportException("An earlier exchange was abandoned before its reply arrived; the channel is closed.");
            }

            await Channel.SendAsync(message, cancellationToken).ConfigureAwait(false);
            if (!expectReply)
            {
                return ReadOnlyMemory<byte>.Empty;
            }

            try
            {
                return await Channel.ReceiveAsync(cancellationToken).ConfigureAwait(false)
                    ?? throw new RpcTransportException("The connection was closed before the reply arrived.");
            }
            catch (OperationCanceledException)
            {
                _broken = true;
                await DisposeChannelAsync().ConfigureAwait(false);
                throw;
            }
        }
        finally
        {
            _exchange.Release();
        }
    }

    /// <summary>Disposes the channel.</summary>
    public ValueTask DisposeAsync() => DisposeChannelAsync();

    private ValueTask DisposeChannelAsync()
    {
        switch (Channel)
        {
            case IAsyncDisposable asyncDisposable:
                return asyncDisposable.DisposeAsync();
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }

        return ValueTask.CompletedTask;
    }
}
