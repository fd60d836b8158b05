using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace TinyRpc.Transports;

/// <summary>
/// A client and server transport joined in memory, for tests and for in-process use. Messages are copied
/// on the way, so neither side sees the other's buffers.
/// </summary>
public static class InMemoryTransport
{
    /// <summary>Creates a connected pair. Disposing the client ends the server's receive loop.</summary>
    public static (InMemoryClientTransport Client, InMemoryServerTransport Server) CreatePair()
    {
        var requests = Channel.CreateUnbounded<ReadOnlyMemory<byte>>(new UnboundedChannelOptions { SingleReader = false });
        var replies = Channel.CreateUnbounded<ReadOnlyMemory<byte>>(new UnboundedChannelOptions { SingleReader = true });
        return (new InMemoryClientTransport(requests.Writer, replies.Reader), new InMemoryServerTransport(requests.Reader, replies.Writer));
    }
}

/// <summary>The client half of <see cref="InMemoryTransport.CreatePair"/>: full duplex.</summary>
public sealed class InMemoryClientTransport : IDuplexClientTransport, IDisposable
{
    private readonly ChannelWriter<ReadOnlyMemory<byte>> _out;
    private readonly ChannelReader<ReadOnlyMemory<byte>> _in;
    private readonly SemaphoreSlim _exchangeLock = new(1, 1);

    internal InMemoryClientTransport(ChannelWriter<ReadOnlyMemory<byte>> output, ChannelReader<ReadOnlyMemory<byte>> input)
    {
        _out = output;
        _in = input;
    }

    /// <inheritdoc/>
    public ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
        => _out.TryWrite(message.ToArray()) ? ValueTask.CompletedTask : throw new RpcTransportException("The transport is closed.");

    /// <inheritdoc/>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ReadOnlyMemory<byte>?> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _in.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    /// <inheritdoc/>
    public async ValueTask<ReadOnlyMemory<byte>> SendMessageAsync(ReadOnlyMemory<byte> message, bool expectReply = true, CancellationToken cancellationToken = default)
    {
        await _exchangeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await SendAsync(message, cancellationToken).ConfigureAwait(false);
            return expectReply
                ? await ReceiveAsync(cancellationToken).ConfigureAwait(false) ?? throw new RpcTransportException("The transport closed before the reply arrived.")
                : ReadOnlyMemory<byte>.Empty;
        }
        finally
        {
            _exchangeLock.Release();
        }
    }

    /// <summary>Closes the client side: the server receives no more messages.</summary>
    public void Dispose()
    {
        _out.TryComplete();
        _exchangeLock.Dispose();
    }
}

/// <summary>The server half of <see cref="InMemoryTransport.CreatePair"/>.</summary>
public sealed class InMemoryServerTransport : IServerTransport, IDisposable
{
    private readonly ChannelReader<ReadOnlyMemory<byte>> _in;
    private readonly ChannelWriter<ReadOnlyMemory<byte>> _out;

    internal InMemoryServerTransport(ChannelReader<ReadOnlyMemory<byte>> input, ChannelWriter<ReadOnlyMemory<byte>> output)
    {
        _in = input;
        _out = output;
    }

    /// <inheritdoc/>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<RpcInboundMessage?> ReceiveMessageAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return new RpcInboundMessage(null, await _in.ReadAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    /// <inheritdoc/>
    public ValueTask SendReplyAsync(object? context, ReadOnlyMemory<byte> reply, CancellationToken cancellationToken = default)
    {
        if (!reply.IsEmpty && !_out.TryWrite(reply.ToArray()))
        {
            throw new RpcTransportException("The client is gone.");
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Closes the server side: the client receives no more replies.</summary>
    public void Dispose() => _out.TryComplete();
}
