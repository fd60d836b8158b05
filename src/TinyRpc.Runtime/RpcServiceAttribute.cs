namespace TinyRpc;

/// <summary>
/// Marks a class whose <see cref="PublicAttribute"/> methods are served (the generator emits its dispatch
/// table), or an interface that clients call (the generator emits a typed proxy). The type must be <c>partial</c>
/// for classes.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Interface | AttributeTargets.Struct, Inherited = false, AllowMultiple = false)]
public sealed class RpcServiceAttribute : Attribute
{
    /// <summary>
    /// How method names become RPC names when <see cref="PublicAttribute"/> names none, and how parameter names
    /// become the wire names of by-name arguments when <see cref="RpcNameAttribute"/> names none.
    /// </summary>
    public RpcNamingPolicy NamingPolicy { get; set; }

    /// <summary>When true, a trailing <c>Async</c> is removed from method names before the naming policy applies.</summary>
    public bool TrimAsyncSuffix { get; set; }
}
