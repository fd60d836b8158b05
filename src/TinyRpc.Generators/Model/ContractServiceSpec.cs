using TinyRpc.Generators.Helpers;

namespace TinyRpc.Generators.Model;

/// <summary>
/// The wire contract of one <c>[RpcService]</c> class or interface, as a contract snapshot records it: only what a
/// peer sees (names after naming policies, <c>[Public]</c> and <c>[RpcName]</c>, types, optionality, one-way).
/// </summary>
/// <param name="Name">The type's full name, without <c>global::</c>.</param>
/// <param name="Methods">The methods, ordered by wire name and then by their JSON form; equal entries appear once.</param>
internal sealed record ContractServiceSpec(string Name, ImmutableEquatableArray<ContractMethodSpec> Methods);
