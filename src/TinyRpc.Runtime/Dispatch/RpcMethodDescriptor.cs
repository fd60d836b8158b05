using System.ComponentModel;
using TinyRpc.Protocols;

namespace TinyRpc.Dispatch;

/// <summary>
/// One method of a service class, unbound: what a generated dispatch table holds. Binding it to an
/// instance (or to nothing, for a static method) gives an <see cref="RpcMethod"/>.
/// </summary>
/// <typeparam name="TService">The service class.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class RpcMethodDescriptor<TService>
{
    private readonly Func<TService, RpcRequest, CancellationToken, ValueTask<RpcResponse?>> _invoke;

    /// <summary>Creates the descriptor.</summary>
    /// <param name="name">The public name, before any prefix.</param>
    /// <param name="parameters">The parameters the client supplies.</param>
    /// <param name="isStatic">True for a static method: the instance passed to the invoker is ignored.</param>
    /// <param name="invoke">Decodes the arguments, calls the method on the instance and writes the response.</param>
    public RpcMethodDescriptor(string name, IReadOnlyList<RpcParameter> parameters, bool isStatic,
        Func<TService, RpcRequest, CancellationToken, ValueTask<RpcResponse?>> invoke)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(invoke);
        Name = name;
        Parameters = parameters;
        IsStatic = isStatic;
        _invoke = invoke;
    }

    /// <summary>The public name, before any prefix.</summary>
    public string Name { get; }

    /// <summary>The parameters the client supplies.</summary>
    public IReadOnlyList<RpcParameter> Parameters { get; }

    /// <summary>True for a static method.</summary>
    public bool IsStatic { get; }

    /// <summary>Binds the method to <paramref name="instance"/>.</summary>
    public RpcMethod Bind(TService instance, string prefix = "")
        => new(prefix + Name, Parameters, (request, ct) => _invoke(instance, request, ct));

    /// <summary>
    /// Binds the method to an instance made for each call by <paramref name="factory"/>: the call runs on the instance it
    /// returns, and the lease it returns (a dependency-injection scope, say), when not null, is disposed once the method
    /// has returned or thrown. A static method is bound to nothing and never calls the factory.
    /// </summary>
    public RpcMethod BindPerCall(Func<RpcRequest, (TService Instance, IAsyncDisposable? Lease)> factory, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(factory);
        return IsStatic
            ? Bind(default(TService)!, prefix)
            : new(prefix + Name, Parameters, (request, ct) => InvokePerCallAsync(factory, request, ct));
    }

    private async ValueTask<RpcResponse?> InvokePerCallAsync(Func<RpcRequest, (TService Instance, IAsyncDisposable? Lease)> factory,
        RpcRequest request, CancellationToken cancellationToken)
    {
        (TService instance, IAsyncDisposable? lease) = factory(request);
        try
        {
            return await _invoke(instance, request, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (lease is not null)
            {
                await lease.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
