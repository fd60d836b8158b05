namespace TinyRpc.Generators.Model;

/// <summary>One parameter of a served method or intercepted delegate.</summary>
/// <param name="Name">
/// The wire name: the name a by-name argument is read under and error messages give. The C# name (without
/// <c>@</c>) with the service's naming policy applied, or the parameter's <c>[RpcName]</c>. Generated code never
/// uses it as an identifier.
/// </param>
/// <param name="Kind">How the value is supplied.</param>
/// <param name="TypeName">The declared type, <c>global::</c>-qualified, with nullable annotations.</param>
/// <param name="TypeOfName">The type as written inside <c>typeof(...)</c> (no nullable reference annotations).</param>
/// <param name="IsOptional">True when the parameter has a default value.</param>
/// <param name="DefaultValue">The C# expression of the default value, when optional.</param>
/// <param name="RejectsNull">True for a non-nullable reference type: a null argument is invalid.</param>
/// <param name="ElementTypeName">For a <c>params</c> array, the element type with annotations.</param>
/// <param name="ElementRejectsNull">For a <c>params</c> array, true when its elements are non-nullable references.</param>
internal sealed record ParameterSpec(
    string Name,
    ParameterKind Kind,
    string TypeName,
    string TypeOfName,
    bool IsOptional,
    string? DefaultValue,
    bool RejectsNull,
    string? ElementTypeName,
    bool ElementRejectsNull);
