using System.Runtime.CompilerServices;
using TinyRpc.Exceptions;

namespace TinyRpc.Transports;

/// <summary>The server half of <see cref="InMemoryTransport.CreatePair"/>.</summary>
public sealed class InMemoryServerTransport : IServerTransport, IDuplexServerTransport, IOwnedReplySender, IInlineServerReceiver, IDisposable
{
    private readonly MessageQueue _in;
    private readonly MessageQueue _out;
    private readonly object _client = new(); // the context of every message: the one client of the pair
    private readonly CancellationTokenSource _clientGone = new(); // not disposed: its token may be read at any time

    internal InMemoryServerTransport(MessageQueue input, MessageQueue output)
    {
        _in = input;
        _out = output;
    }

    /// <inheritdoc/>
    public ValueTask<RpcInboundMessage?> ReceiveMessageAsync(CancellationToken cancellationToken = default)
        => ReceiveAsync(inline: false, cancellationToken);

    /// <inheritdoc/>
    public ValueTask<RpcInboundMessage?> ReceiveMessageInlineAsync(CancellationToken cancellationToken = default)
        => ReceiveAsync(inline: true, cancellationToken);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<RpcInboundMessage?> ReceiveAsync(bool inline, CancellationToken cancellationToken)
    {
        if (await _in.ReadAsync(inline, cancellationToken).ConfigureAwait(false) is { } message)
        {
            return new RpcInboundMessage(_client, message);
        }

        _clientGone.Cancel();
        return null;
    }

    /// <inheritdoc/>
    public IReadOnlyList<object> Peers => _clientGone.IsCancellationRequested ? [] : [_client];

    /// <inheritdoc/>
    public ValueTask SendToPeerAsync(object context, ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
        => _out.TryWrite(message.ToArray()) ? ValueTask.CompletedTask : throw new RpcTransportException("The client is gone.");

    /// <inheritdoc/>
    /// <remarks>Cancelled once the client has closed its side and every message it sent has been received.</remarks>
    public CancellationToken GetPeerClosed(object context) => _clientGone.Token;

    /// <inheritdoc/>
    public ValueTask SendReplyAsync(object? context, ReadOnlyMemory<byte> reply, CancellationToken cancellationToken = default)
        => reply.IsEmpty ? ValueTask.CompletedTask : SendOwnedReplyAsync(context, reply.ToArray(), cancellationToken);

    /// <inheritdoc/>
    public ValueTask SendOwnedReplyAsync(object? context, ReadOnlyMemory<byte> reply, CancellationToken cancellationToken = default)
    {
        if (!reply.IsEmpty && !_out.TryWrite(reply))
        {
            throw new RpcTransportException("The client is gone.");
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Closes the server side: the client receives no more replies.</summary>
    public void Dispose()
    {
        _out.Close();
        _clientGone.Cancel();
    }
}
