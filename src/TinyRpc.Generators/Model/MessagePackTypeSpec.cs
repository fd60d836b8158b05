using TinyRpc.Generators.Helpers;

namespace TinyRpc.Generators.Model;

/// <summary>One closed type a contract sends or receives, and what serves it over MSGPACK-RPC.</summary>
/// <param name="TypeName">The type as written in <c>typeof(...)</c>, <c>global::</c>-qualified.</param>
/// <param name="Shape">The formatter that serves it.</param>
/// <param name="TypeArguments">The formatter's type arguments (element, key and value, underlying type).</param>
/// <param name="Object">For <see cref="MessagePackShape.Object"/>, its members; else null.</param>
internal sealed record MessagePackTypeSpec(
    string TypeName,
    MessagePackShape Shape,
    ImmutableEquatableArray<string> TypeArguments,
    MessagePackObjectSpec? Object);
