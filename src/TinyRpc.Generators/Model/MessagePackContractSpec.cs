using TinyRpc.Generators.Helpers;

namespace TinyRpc.Generators.Model;

/// <summary>
/// The types one <c>[RpcService]</c> class or interface sends and receives that need a MSGPACK-RPC formatter
/// beyond MessagePack-CSharp's built-in ones, ordered by <see cref="MessagePackTypeSpec.TypeName"/>.
/// </summary>
internal sealed record MessagePackContractSpec(ImmutableEquatableArray<MessagePackTypeSpec> Types);
