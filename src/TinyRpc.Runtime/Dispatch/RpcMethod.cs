using TinyRpc.Protocols;

namespace TinyRpc.Dispatch;

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
