namespace TinyRpc.Generators.Model;

/// <summary>One parameter of a <see cref="ContractMethodSpec"/>.</summary>
/// <param name="Name">The wire name: the name a by-name argument is read under.</param>
/// <param name="Type">The declared type, fully qualified without <c>global::</c>, with nullable annotations.</param>
/// <param name="Optional">True when the parameter has a default value (a caller may leave it out).</param>
/// <param name="IsParams">True for a <c>params</c> array, which gathers the remaining positional arguments.</param>
internal sealed record ContractParameterSpec(string Name, string Type, bool Optional, bool IsParams);
