using System.Threading.Channels;
using TinyRpc.Server;

namespace TinyRpc.Transports;

/// <summary>The messages that request handlers hand over to an <see cref="RpcServer"/>, in arrival order.</summary>
internal sealed class InboundQueue
{
    private readonly Channel<RpcInboundMessage> _channel;

    /// <summary>Creates an unbounded queue, or one whose writers wait while <paramref name="capacity"/> messages are waiting.</summary>
    public InboundQueue(int? capacity = null)
    {
        _channel = capacity is int bound
            ? Channel.CreateBounded<RpcInboundMessage>(new BoundedChannelOptions(bound) { FullMode = BoundedChannelFullMode.Wait })
            : Channel.CreateUnbounded<RpcInboundMessage>();
    }

    /// <summary>Adds a message; false once the queue is completed (or full).</summary>
    public bool TryWrite(RpcInboundMessage message) => _channel.Writer.TryWrite(message);

    /// <summary>Adds a message, waiting for room; throws <see cref="ChannelClosedException"/> once the queue is completed.</summary>
    public ValueTask WriteAsync(RpcInboundMessage message, CancellationToken cancellationToken) => _channel.Writer.WriteAsync(message, cancellationToken);

    /// <summary>The next message; null once the queue is completed and empty.</summary>
    public async ValueTask<RpcInboundMessage?> ReceiveAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _channel.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    /// <summary>Takes no more messages; those already queued can still be received.</summary>
    public void Complete() => _channel.Writer.TryComplete();
}
