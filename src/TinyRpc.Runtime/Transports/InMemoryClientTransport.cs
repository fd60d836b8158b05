using TinyRpc.Exceptions;

namespace TinyRpc.Transports;

/// <summary>The client half of <see cref="InMemoryTransport.CreatePair"/>: full duplex.</summary>
public sealed class InMemoryClientTransport : IMessageChannel, IOwnedMessageSender, IInlineMessageReceiver, IDisposable
{
    private readonly MessageQueue _out;
    private readonly MessageQueue _in;

    internal InMemoryClientTransport(MessageQueue output, MessageQueue input)
    {
        _out = output;
        _in = input;
    }

    /// <inheritdoc/>
    public ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
        => SendOwnedAsync(message.ToArray(), cancellationToken);

    /// <inheritdoc/>
    public ValueTask SendOwnedAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
        => _out.TryWrite(message) ? ValueTask.CompletedTask : throw new RpcTransportException("The transport is closed.");

    /// <inheritdoc/>
    public ValueTask<ReadOnlyMemory<byte>?> ReceiveAsync(CancellationToken cancellationToken = default)
        => _in.ReadAsync(inline: false, cancellationToken);

    /// <inheritdoc/>
    public ValueTask<ReadOnlyMemory<byte>?> ReceiveInlineAsync(CancellationToken cancellationToken = default)
        => _in.ReadAsync(inline: true, cancellationToken);

    /// <summary>Closes the client side: the server receives no more messages.</summary>
    public void Dispose() => _out.Close();
}
