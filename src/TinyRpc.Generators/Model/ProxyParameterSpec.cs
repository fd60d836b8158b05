namespace TinyRpc.Generators.Model;

/// <summary>A parameter of a proxied interface method.</summary>
/// <param name="Name">The C# name (without <c>@</c>).</param>
/// <param name="TypeName">The declared type, <c>global::</c>-qualified, with nullable annotations.</param>
/// <param name="Kind">Sent as one argument, expanded (<c>params</c>), or used as the call's cancellation token.</param>
/// <param name="ElementTypeName">For a <c>params</c> array, the element type.</param>
internal sealed record ProxyParameterSpec(string Name, string TypeName, ParameterKind Kind, string? ElementTypeName);
