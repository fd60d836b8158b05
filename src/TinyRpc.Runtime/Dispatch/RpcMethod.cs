namespace TinyRpc;

/// <summary>
/// Calls a method for a request and returns its response (null for a notification). Decoding the
/// arguments, calling and writing the result all happen inside; exceptions are turned into error
/// responses by the dispatcher.
/// </summary>
public delegate ValueTask<RpcResponse?> RpcMethodHandler(RpcRequest request, CancellationToken cancellationToken);

/// <summary>Describes one parameter of an RPC method, for validation and error messages.</summary>
/// <param name="Name">
/// The parameter's wire name, matched against named arguments and given in errors: for generated tables and
/// delegates, its <see cref="RpcNameAttribute"/> or its C# name with the service's naming policy applied.
/// </param>
/// <param name="Type">The declared type.</param>
/// <param name="IsOptional">True when a default value exists, so the argument may be left out.</param>
/// <param name="IsParamArray">True for a C# <c>params</c> array that gathers the remaining positional arguments.</param>
public sealed record RpcParameter(string Name, Type Type, bool IsOptional = false, bool IsParamArray = false);

/// <summary>
/// A method registered with a dispatcher under a public name: its parameters and the handler that calls it.
/// Generated dispatch tables produce these without reflection.
/// </summary>
public sealed class RpcMethod
{
    /// <summary>Creates a method.</summary>
    public RpcMethod(string name, IReadOnlyList<RpcParameter> parameters, RpcMethodHandler handler)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(handler);
        Name = name;
        Parameters = parameters;
        Handler = handler;
        IsVariadic = parameters.Count > 0 && parameters[^1].IsParamArray;
        FixedCount = IsVariadic ? parameters.Count - 1 : parameters.Count;
        for (int i = FixedCount - 1; i >= 0; i--)
        {
            if (!parameters[i].IsOptional)
            {
                RequiredPositionalCount = i + 1;
                break;
            }
        }
    }

    // What the default validator checks on every positional call, worked out once.
    internal bool IsVariadic { get; }

    internal int FixedCount { get; }

    internal int RequiredPositionalCount { get; }

    /// <summary>The public name.</summary>
    public string Name { get; }

    /// <summary>The parameters the client supplies (a CancellationToken parameter is not one of them).</summary>
    public IReadOnlyList<RpcParameter> Parameters { get; }

    /// <summary>Calls the method.</summary>
    public RpcMethodHandler Handler { get; }

    /// <summary>Calls the method for <paramref name="request"/> (exceptions propagate; the dispatcher catches them).</summary>
    public ValueTask<RpcResponse?> InvokeAsync(RpcRequest request, CancellationToken cancellationToken = default)
        => Handler(request, cancellationToken);

    /// <summary>The same method under another name.</summary>
    public RpcMethod WithName(string name) => new(name, Parameters, Handler);

    /// <inheritdoc/>
    public override string ToString() => Name + "(" + string.Join(", ", Parameters.Select(static p => p.Name)) + ")";
}

/// <summary>
/// One method of a service class, unbound: what a generated dispatch table holds. Binding it to an
/// instance (or to nothing, for a static method) gives an <see cref="RpcMethod"/>.
/// </summary>
/// <typeparam name="TService">The service class.</typeparam>
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
}

/// <summary>
/// The dispatch table of a service class: every public method, unbound. Generated for each
/// <see cref="RpcServiceAttribute"/> class.
/// </summary>
/// <typeparam name="TService">The service class.</typeparam>
public sealed class RpcServiceTable<TService>
{
    /// <summary>Creates the table, without an OpenRPC document.</summary>
    public RpcServiceTable(IReadOnlyList<RpcMethodDescriptor<TService>> methods)
        : this(methods, null)
    {
    }

    /// <summary>Creates the table with the OpenRPC document that describes its methods.</summary>
    /// <param name="methods">The public methods.</param>
    /// <param name="openRpcDocument">
    /// The OpenRPC document (JSON text) of exactly these methods under their unprefixed names, or null when there is none.
    /// </param>
    public RpcServiceTable(IReadOnlyList<RpcMethodDescriptor<TService>> methods, string? openRpcDocument)
    {
        ArgumentNullException.ThrowIfNull(methods);
        Methods = methods;
        OpenRpcDocument = openRpcDocument;
    }

    /// <summary>The public methods.</summary>
    public IReadOnlyList<RpcMethodDescriptor<TService>> Methods { get; }

    /// <summary>
    /// The OpenRPC 1.3 document of the service, generated at compile time: every method of <see cref="Methods"/> under
    /// its unprefixed name, with its parameters' wire names and JSON Schemas and its documentation. Null for a table
    /// made without one. <see cref="RpcDispatcher.GetOpenRpcDocument"/> combines the documents of everything registered.
    /// </summary>
    public string? OpenRpcDocument { get; }
}

/// <summary>
/// Implemented (by the generator, on the partial class) by every <see cref="RpcServiceAttribute"/> class,
/// so that <see cref="RpcDispatcher.RegisterInstance{TService}(TService, string)"/> finds the table by
/// generic static dispatch, without reflection.
/// </summary>
/// <typeparam name="TSelf">The service class itself.</typeparam>
public interface IRpcService<TSelf>
    where TSelf : IRpcService<TSelf>
{
    /// <summary>The generated dispatch table.</summary>
    static abstract RpcServiceTable<TSelf> RpcTable { get; }
}
