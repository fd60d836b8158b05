namespace TinyRpc.Transports;

/// <summary>
/// A server transport driven by two callbacks (tinyrpc's <c>CallbackServerTransport</c>), for hosts where
/// TinyRpc cannot own a socket or stream: the reader returns the next request (or null when there are no
/// more), the writer takes each reply.
/// </summary>
public sealed class CallbackServerTransport : IServerTransport
{
    private readonly Func<CancellationToken, ValueTask<ReadOnlyMemory<byte>?>> _reader;
    private readonly Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> _writer;

    /// <summary>Creates the transport from asynchronous callbacks.</summary>
    public CallbackServerTransport(Func<CancellationToken, ValueTask<ReadOnlyMemory<byte>?>> reader, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> writer)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(writer);
        _reader = reader;
        _writer = writer;
    }

    /// <summary>Creates the transport from blocking callbacks, as tinyrpc's <c>reader()</c> and <c>writer(reply)</c>.</summary>
    public CallbackServerTransport(Func<byte[]?> reader, Action<byte[]> writer)
        : this(_ => new ValueTask<ReadOnlyMemory<byte>?>(AsMessage(reader())), (reply, _) =>
        {
            writer(reply.ToArray());
            return ValueTask.CompletedTask;
        })
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(writer);
    }

    // A null array must end the transport; the implicit array-to-memory conversion would make it an empty message.
    private static ReadOnlyMemory<byte>? AsMessage(byte[]? message) => message is null ? default(ReadOnlyMemory<byte>?) : new ReadOnlyMemory<byte>(message);

    /// <summary>When true (the default), notifications produce no call to the writer; when false the writer receives an empty reply.</summary>
    public bool SkipEmptyReplies { get; init; } = true;

    /// <inheritdoc/>
    public async ValueTask<RpcInboundMessage?> ReceiveMessageAsync(CancellationToken cancellationToken = default)
    {
        ReadOnlyMemory<byte>? message = await _reader(cancellationToken).ConfigureAwait(false);
        return message is { } m ? new RpcInboundMessage(null, m) : null;
    }

    /// <inheritdoc/>
    public ValueTask SendReplyAsync(object? context, ReadOnlyMemory<byte> reply, CancellationToken cancellationToken = default)
        => reply.IsEmpty && SkipEmptyReplies ? ValueTask.CompletedTask : _writer(reply, cancellationToken);
}
