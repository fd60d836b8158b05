namespace TinyRpc.Protocols;

public abstract partial class RpcProtocol
{
    /// <summary>The notification that carries a progress report: <c>$/progress</c> with <c>[token, value]</c>.</summary>
    public const string ProgressMethod = "$/progress";

    /// <summary>The request that asks for the next values of a stream: <c>$/enumerator/next</c> with <c>[token]</c>.</summary>
    public const string EnumeratorNextMethod = "$/enumerator/next";

    /// <summary>The notification that stops a stream before its end: <c>$/enumerator/abort</c> with <c>[token]</c>.</summary>
    public const string EnumeratorAbortMethod = "$/enumerator/abort";

    /// <summary>
    /// Encodes one value as this protocol writes it inside a message, for <see cref="RpcStreamPage.Values"/>.
    /// </summary>
    /// <exception cref="NotSupportedException">The protocol cannot carry streams (the default).</exception>
    public virtual ReadOnlyMemory<byte> EncodeValue<T>(T value)
        => throw new NotSupportedException($"The {Name} protocol cannot carry streams of values.");

    /// <summary>Decodes one value that <see cref="EncodeValue{T}(T)"/> (or the peer) encoded.</summary>
    /// <exception cref="NotSupportedException">The protocol cannot carry streams (the default).</exception>
    /// <exception cref="Exceptions.InvalidReplyException">The value cannot be read as <typeparamref name="T"/>.</exception>
    public virtual T DecodeValue<T>(ReadOnlyMemory<byte> encoded)
        => throw new NotSupportedException($"The {Name} protocol cannot carry streams of values.");
}
