namespace TinyRpc;

/// <summary>
/// How a C# method name becomes an RPC name when <see cref="PublicAttribute"/> gives none, and a parameter name the
/// wire name of a by-name argument when <see cref="RpcNameAttribute"/> gives none.
/// </summary>
public enum RpcNamingPolicy
{
    /// <summary>The method name verbatim (the default): <c>ReverseString</c>.</summary>
    AsWritten = 0,

    /// <summary>camelCase: <c>reverseString</c>.</summary>
    CamelCase,

    /// <summary>snake_case: <c>reverse_string</c>.</summary>
    SnakeCase,
}

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

/// <summary>
/// Marks a method as callable remotely (tinyrpc's <c>@public</c>), under <see cref="Name"/> or a name derived from
/// the method name. Only methods so marked are callable.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = true, AllowMultiple = false)]
public sealed class PublicAttribute : Attribute
{
    /// <summary>Marks the method public under its own (policy-derived) name.</summary>
    public PublicAttribute()
    {
    }

    /// <summary>Marks the method public under <paramref name="name"/>.</summary>
    public PublicAttribute(string name)
    {
        Name = name;
    }

    /// <summary>The RPC name, or null to derive it from the method name.</summary>
    public string? Name { get; }
}

/// <summary>
/// Gives a parameter the wire name <see cref="Name"/>, under which a by-name (keyword) argument is read, in place
/// of the parameter's own name with the service's <see cref="RpcServiceAttribute.NamingPolicy"/> applied. A
/// by-name call must use this name; the C# name is not accepted as well. Positional calls are unaffected.
/// </summary>
/// <remarks>
/// Read by the generated dispatch tables, by delegates added with <c>RpcDispatcher.AddMethod(Delegate)</c> (a
/// lambda's parameter may carry it), and on an interface method's parameter by the classes that implement it.
/// </remarks>
[AttributeUsage(AttributeTargets.Parameter, Inherited = false, AllowMultiple = false)]
public sealed class RpcNameAttribute : Attribute
{
    /// <summary>Names the parameter <paramref name="name"/> on the wire.</summary>
    public RpcNameAttribute(string name)
    {
        Name = name;
    }

    /// <summary>The wire name, used verbatim (no naming policy applies to it).</summary>
    public string Name { get; }
}

/// <summary>
/// On a method of an <see cref="RpcServiceAttribute"/> interface: the generated proxy sends a notification
/// (no reply awaited). The method must return <c>void</c>, <c>Task</c> or <c>ValueTask</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = true, AllowMultiple = false)]
public sealed class OneWayAttribute : Attribute
{
}
