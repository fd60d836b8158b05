using TinyRpc.Generators.Helpers;

namespace TinyRpc.Generators.Model;

/// <summary>One <c>[Public]</c> method of a service class.</summary>
/// <param name="ClrName">The C# method name (without <c>@</c>).</param>
/// <param name="RpcName">The public name, before any registration prefix.</param>
/// <param name="CallKind">How the invoker calls it.</param>
/// <param name="CallTypeName">For static methods the declaring type, for explicit implementations the interface; else null.</param>
/// <param name="ReturnKind">What the method returns.</param>
/// <param name="ResultTypeName">The type of the result (<c>T</c> of <c>Task&lt;T&gt;</c>, or the returned type); null when there is none.</param>
/// <param name="Parameters">The parameters in declaration order.</param>
internal sealed record MethodSpec(
    string ClrName,
    string RpcName,
    CallKind CallKind,
    string? CallTypeName,
    ReturnKind ReturnKind,
    string? ResultTypeName,
    ImmutableEquatableArray<ParameterSpec> Parameters);
