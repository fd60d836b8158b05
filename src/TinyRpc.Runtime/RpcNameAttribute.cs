namespace TinyRpc;

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
