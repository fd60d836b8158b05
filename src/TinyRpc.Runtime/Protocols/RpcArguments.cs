using TinyRpc.Exceptions;

namespace TinyRpc.Protocols;

/// <summary>
/// The parameters of a request in wire form. Nothing is decoded until a value is asked for with
/// its type, so no boxed <c>object[]</c> exists on the request path.
/// </summary>
/// <remarks>
/// A request has positional parameters, named parameters, or none. Generated dispatch tables read
/// parameter <c>i</c> named <c>n</c> with <c>IsNamed ? TryGet(n, out v) : TryGet(i, out v)</c>.
/// </remarks>
public abstract class RpcArguments
{
    /// <summary>True when the parameters are named (a JSON object), false when positional or absent.</summary>
    public abstract bool IsNamed { get; }

    /// <summary>The number of parameters.</summary>
    public abstract int Count { get; }

    /// <summary>The name of the parameter at <paramref name="index"/>, for named parameters.</summary>
    public abstract string GetName(int index);

    /// <summary>True when a named parameter called <paramref name="name"/> is present.</summary>
    public abstract bool Contains(string name);

    /// <summary>
    /// Reads the positional parameter at <paramref name="index"/> as <typeparamref name="T"/>;
    /// false when there is no such parameter.
    /// </summary>
    /// <exception cref="InvalidParamsException">The value cannot be read as <typeparamref name="T"/>; the message names <paramref name="parameterName"/>.</exception>
    public abstract bool TryGet<T>(int index, string parameterName, out T value);

    /// <summary>Reads the named parameter <paramref name="name"/> as <typeparamref name="T"/>; false when absent.</summary>
    /// <exception cref="InvalidParamsException">The value cannot be read as <typeparamref name="T"/>.</exception>
    public abstract bool TryGet<T>(string name, out T value);

    /// <summary>True when the parameter at <paramref name="index"/> is the protocol's null (nil) value.</summary>
    public abstract bool IsNull(int index);

    /// <summary>Reads parameter <paramref name="index"/> (or the one named <paramref name="name"/> for named parameters).</summary>
    public bool TryGet<T>(int index, string name, bool byName, out T value)
        => byName ? TryGet(name, out value) : TryGet(index, name, out value);

    /// <summary>An empty parameter list.</summary>
    public static RpcArguments Empty { get; } = new EmptyArguments();

    private sealed class EmptyArguments : RpcArguments
    {
        public override bool IsNamed => false;

        public override int Count => 0;

        public override string GetName(int index) => throw new ArgumentOutOfRangeException(nameof(index));

        public override bool Contains(string name) => false;

        public override bool IsNull(int index) => throw new ArgumentOutOfRangeException(nameof(index));

        public override bool TryGet<T>(int index, string parameterName, out T value)
        {
            value = default!;
            return false;
        }

        public override bool TryGet<T>(string name, out T value)
        {
            value = default!;
            return false;
        }
    }
}
