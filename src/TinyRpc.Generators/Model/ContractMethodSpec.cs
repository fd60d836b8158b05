using TinyRpc.Generators.Helpers;

namespace TinyRpc.Generators.Model;

/// <summary>One method of a <see cref="ContractServiceSpec"/>.</summary>
/// <param name="Name">The wire name, before any registration or proxy prefix.</param>
/// <param name="OneWay">True for an <c>[OneWay]</c> interface method: sent as a notification.</param>
/// <param name="Parameters">The parameters sent, in order (a <c>CancellationToken</c> is not sent and not listed).</param>
/// <param name="Result">The result type, or null when the method returns none (<c>void</c>, <c>Task</c>, <c>ValueTask</c>).</param>
internal sealed record ContractMethodSpec(string Name, bool OneWay, ImmutableEquatableArray<ContractParameterSpec> Parameters, string? Result);
