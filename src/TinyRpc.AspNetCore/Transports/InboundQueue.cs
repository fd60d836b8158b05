using System.Threading.Channels;
using TinyRpc.Server;

namespace TinyRpc.Transports;

/// <summary>The messages that request handlers hand over to an <see cref="RpcServer"/>, in arrival order.</summary>
internal sealed class InboundQueue
{
    private readonly Channel<RpcInboundMessage> _channel = Channel.CreateUnbounded<RpcInboundMessage>();

    /// <summary>Adds a message; false once the queue is completed.</summary>
    public bool TryWrite(RpcInboundMessage message) => _channel.Writer.TryWrite(message);

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
