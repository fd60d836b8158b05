// Linked into both protocol packages: each compiles its own internal copy, so neither opens its internals to the other.
namespace TinyRpc.Exceptions;

/// <summary>
/// How an error received from a peer reads its data as a type, supplied by the protocol that parsed it. The
/// exceptions know only this, not the protocol, so that protocols depend on exceptions and never the reverse.
/// </summary>
internal interface IErrorDataReader
{
    /// <summary>Reads <paramref name="data"/> as <typeparamref name="T"/>.</summary>
    /// <exception cref="InvalidCastException">The data does not fit <typeparamref name="T"/>.</exception>
    T ReadErrorData<T>(ReadOnlyMemory<byte> data);
}
