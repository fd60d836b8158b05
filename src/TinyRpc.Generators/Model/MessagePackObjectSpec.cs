using TinyRpc.Generators.Helpers;

namespace TinyRpc.Generators.Model;

/// <summary>How a generated formatter writes and reads a record, class or struct as a map.</summary>
/// <param name="IsValueType">True for a struct: never nil.</param>
/// <param name="Members">The members written, in declaration order, keyed by their JSON names.</param>
/// <param name="ConstructorParameters">
/// The members passed to the constructor, in parameter order (by index into <paramref name="Members"/>); the
/// other settable members are assigned in an object initializer.
/// </param>
internal sealed record MessagePackObjectSpec(
    bool IsValueType,
    ImmutableEquatableArray<MessagePackMemberSpec> Members,
    ImmutableEquatableArray<int> ConstructorParameters);

/// <summary>One member of a <see cref="MessagePackObjectSpec"/>.</summary>
/// <param name="WireName">The map key: <c>[JsonPropertyName]</c>, else the member name.</param>
/// <param name="ClrName">The property or field name.</param>
/// <param name="TypeName">The member type, <c>global::</c>-qualified, with nullable annotations.</param>
/// <param name="CanRead">True when it is written (has a public getter).</param>
/// <param name="CanInitialize">True when an object initializer can set it (public setter or init).</param>
/// <param name="IsInitOnly">True when it can be set only in an object initializer (<c>init</c>).</param>
internal sealed record MessagePackMemberSpec(
    string WireName,
    string ClrName,
    string TypeName,
    bool CanRead,
    bool CanInitialize,
    bool IsInitOnly);
