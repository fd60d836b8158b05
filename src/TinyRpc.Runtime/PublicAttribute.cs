namespace TinyRpc;

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
