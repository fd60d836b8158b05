using TinyRpc.Generators.Helpers;

namespace TinyRpc.Generators.Model;

/// <summary>
/// The wire contract of one <c>[RpcService]</c> class or interface, as a contract snapshot records it: only what a
/// peer sees (names after naming policies, <c>[Public]</c> and <c>[RpcName]</c>, types, optionality, one-way).
/// </summary>
/// <param name="Name">The type's full name, without <c>global::</c>.</param>
/// <param name="Methods">The methods, ordered by wire name and then by their JSON form; equal entries appear once.</param>
internal sealed record ContractServiceSpec(string Name, ImmutableEquatableArray<ContractMethodSpec> Methods);

/// <summary>One method of a <see cref="ContractServiceSpec"/>.</summary>
/// <param name="Name">The wire name, before any registration or proxy prefix.</param>
/// <param name="OneWay">True for an <c>[OneWay]</c> interface method: sent as a notification.</param>
/// <param name="Parameters">The parameters sent, in order (a <c>CancellationToken</c> is not sent and not listed).</param>
/// <param name="Result">The result type, or null when the method returns none (<c>void</c>, <c>Task</c>, <c>ValueTask</c>).</param>
internal sealed record ContractMethodSpec(string Name, bool OneWay, ImmutableEquatableArray<ContractParameterSpec> Parameters, string? Result);

/// <summary>One parameter of a <see cref="ContractMethodSpec"/>.</summary>
/// <param name="Name">The wire name: the name a by-name argument is read under.</param>
/// <param name="Type">The declared type, fully qualified without <c>global::</c>, with nullable annotations.</param>
/// <param name="Optional">True when the parameter has a default value (a caller may leave it out).</param>
/// <param name="IsParams">True for a <c>params</c> array, which gathers the remaining positional arguments.</param>
internal sealed record ContractParameterSpec(string Name, string Type, bool Optional, bool IsParams);
